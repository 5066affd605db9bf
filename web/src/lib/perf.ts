// `performance.mark('larch:interactive')` once a page's main data has rendered:
// the browser speed bench (bench/scenarios/web.sh) measures the time to it.
import { useEffect } from 'react';

export const INTERACTIVE_MARK = 'larch:interactive';

/** Sets the mark (once per document) when `ready` turns true, after the paint that shows the data. */
export function useInteractiveMark(ready: boolean): void {
  useEffect(() => {
    if (!ready || typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
    if (performance.getEntriesByName(INTERACTIVE_MARK, 'mark').length > 0) return;
    performance.mark(INTERACTIVE_MARK);
  }, [ready]);
}
