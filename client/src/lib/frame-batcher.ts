/**
 * Collects items and hands them over once per animation frame, so a burst of socket events costs
 * one store update and one render instead of one each. Hidden tabs get no animation frames; there
 * a short timer takes over so the queue cannot grow without bound.
 */
const HIDDEN_FLUSH_MS = 250;

export interface FrameBatcher<T> {
  push: (item: T) => void;
  /** Delivers what is queued now. */
  flush: () => void;
  /** Drops what is queued and stops. */
  cancel: () => void;
}

export function createFrameBatcher<T>(deliver: (items: T[]) => void): FrameBatcher<T> {
  let queue: T[] = [];
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const unschedule = () => {
    if (frame !== null) cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    frame = null;
    timer = null;
  };

  const flush = () => {
    unschedule();
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    deliver(items);
  };

  return {
    push(item) {
      queue.push(item);
      if (frame !== null || timer !== null) return;
      if (document.hidden) timer = setTimeout(flush, HIDDEN_FLUSH_MS);
      else frame = requestAnimationFrame(flush);
    },
    flush,
    cancel() {
      unschedule();
      queue = [];
    },
  };
}
