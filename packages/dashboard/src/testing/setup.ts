import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Each component test starts with an empty document and storage.
afterEach(() => {
  cleanup();
  globalThis.sessionStorage?.clear();
  globalThis.localStorage?.clear();
});
