import { combineReducers, configureStore } from '@reduxjs/toolkit';
import { api } from '../api/api';
import authReducer, { signedOut } from '../auth/authSlice';
import liveReducer from '../live/liveSlice';

const appReducer = combineReducers({
  auth: authReducer,
  live: liveReducer,
  [api.reducerPath]: api.reducer,
});

type AppReducerState = ReturnType<typeof appReducer>;

/** Signing out drops every cached answer with the session. */
const rootReducer = (state: AppReducerState | undefined, action: { type: string }) => {
  if (signedOut.match(action) && state) {
    return appReducer({ auth: state.auth, live: state.live } as AppReducerState, action);
  }
  return appReducer(state, action);
};

export function makeStore(preloaded?: Partial<AppReducerState>) {
  return configureStore({
    reducer: rootReducer,
    preloadedState: preloaded as AppReducerState | undefined,
    middleware: (getDefault) => getDefault().concat(api.middleware),
  });
}

export type AppStore = ReturnType<typeof makeStore>;
export type RootState = ReturnType<AppStore['getState']>;
export type AppDispatch = AppStore['dispatch'];
