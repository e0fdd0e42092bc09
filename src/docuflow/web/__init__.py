"""The web UI: serves the built React client (``frontend/``) and the few endpoints it needs.

- ``spa``: the built files (``dist/``, made by ``npm run build``): hashed assets with
  year-long cache headers, ``index.html`` uncached, and the SPA fallback for client routes.
- ``session``: sign-in for the browser with the refresh token in an HttpOnly cookie.
- ``api``: read models the screens need (status counts, an execution's state machine and
  timings) and per-type workflow definitions (validate, activate).
"""
