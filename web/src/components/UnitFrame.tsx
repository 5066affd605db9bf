import { useEffect, useRef, useState } from 'react';
import { useIntl } from 'react-intl';
import { Loading } from './Status';

const MIN_HEIGHT = 320;

/**
 * The unit iframe (`/xblock/{unit}`, same origin). The unit page sends no
 * postMessage events, so the frame reads its own document: it grows to the
 * page's height (a ResizeObserver on the page body) and reports each XBlock
 * handler call the page's script makes (`fetch` POSTs to `/handler/`), so the
 * player can read completion again.
 */
export function UnitFrame({ src, title, onActivity }: { src: string; title: string; onActivity: () => void }) {
  const intl = useIntl();
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(MIN_HEIGHT);
  const [loaded, setLoaded] = useState(false);
  const activity = useRef(onActivity);
  activity.current = onActivity;
  const cleanup = useRef<(() => void) | null>(null);

  useEffect(() => () => cleanup.current?.(), []);

  const onLoad = () => {
    setLoaded(true);
    cleanup.current?.();
    cleanup.current = null;
    let win: (Window & typeof globalThis) | null = null;
    let doc: Document | null = null;
    try {
      win = frame.current?.contentWindow as (Window & typeof globalThis) | null;
      doc = frame.current?.contentDocument ?? null;
    } catch {
      return; // not same-origin: keep the default height
    }
    if (!win || !doc?.body) return;
    const measure = () => {
      const h = Math.max(doc!.documentElement.scrollHeight, doc!.body.scrollHeight);
      setHeight(Math.max(MIN_HEIGHT, h));
    };
    measure();
    const observer = new win.ResizeObserver(measure);
    observer.observe(doc.body);
    const original = win.fetch;
    let timer: number | undefined;
    win.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const result = original.call(win, input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if ((init?.method ?? 'GET').toUpperCase() === 'POST' && url.includes('/handler/')) {
        result.then(
          () => {
            window.clearTimeout(timer);
            timer = window.setTimeout(() => activity.current(), 150);
          },
          () => {},
        );
      }
      return result;
    };
    cleanup.current = () => {
      observer.disconnect();
      window.clearTimeout(timer);
    };
  };

  return (
    <div className="larch-unit-frame-wrap">
      {!loaded && <Loading label={intl.formatMessage({ id: 'player.frameLoading', defaultMessage: 'Loading the unit…' })} />}
      <iframe
        ref={frame}
        src={src}
        title={title}
        className="larch-unit-frame"
        style={{ height }}
        onLoad={onLoad}
        allow="fullscreen"
      />
    </div>
  );
}
