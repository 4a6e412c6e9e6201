// Real Redis, FerretDB, Chromium and the simulator: generous, never used as a speed check.
jest.setTimeout(60_000);
