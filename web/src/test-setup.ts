import { configure } from '@testing-library/react';

// The suite shares two cores with compilers: give findBy/waitFor room instead
// of the 1 s default, so a busy machine does not fail a correct test.
configure({ asyncUtilTimeout: 10_000 });
