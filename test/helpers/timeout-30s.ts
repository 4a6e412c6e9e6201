// Real Chromium: a launch costs up to a second on these shared 2-core machines, often more under load.
jest.setTimeout(30_000);
