import { configure } from '@testing-library/react';

// The suite shares two cores with compilers: give findBy/waitFor room instead
// of the 1 s default, so a busy machine does not fail a correct test.
configure({ asyncUtilTimeout: 10_000 });

// jsdom has no ResizeObserver; Paragon's Tabs measure their overflow with it.
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}
