import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// findBy… and waitFor wait up to 5 s: pages reload after a streamed event is
// debounced, and npm test runs two files at a time on small machines.
configure({ asyncUtilTimeout: 5_000 });

// Each component test starts with an empty document and storage.
afterEach(() => {
  cleanup();
  globalThis.sessionStorage?.clear();
  globalThis.localStorage?.clear();
});
