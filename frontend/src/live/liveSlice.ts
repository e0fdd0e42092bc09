import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export type LiveStatus = 'offline' | 'connecting' | 'live' | 'reconnecting';

export interface LiveState {
  status: LiveStatus;
  /** Last status pushed for each document, with when it arrived (for highlighting). */
  recent: Record<string, { status: string; at: number }>;
}

const initialState: LiveState = { status: 'offline', recent: {} };

const liveSlice = createSlice({
  name: 'live',
  initialState,
  reducers: {
    connectionChanged(state, action: PayloadAction<LiveStatus>) {
      state.status = action.payload;
    },
    statusPushed(state, action: PayloadAction<{ id: string; status: string; at: number }>) {
      state.recent[action.payload.id] = { status: action.payload.status, at: action.payload.at };
    },
  },
});

export const { connectionChanged, statusPushed } = liveSlice.actions;
export default liveSlice.reducer;
