// Runs an async sequence ahead of its consumer: the producer goes on while the consumer is busy
// (an import parses the next files in the parse worker while this thread writes the ones before),
// up to `depth` items held, so memory stays bounded whatever the sequence's length.

export async function* ahead<T>(source: AsyncIterable<T>, depth: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const held: T[] = [];
  let finished = false;
  let stopped = false;
  let failure: { error: unknown } | null = null;
  let wakeConsumer: (() => void) | null = null;
  let wakeProducer: (() => void) | null = null;
  const wake = (which: 'consumer' | 'producer') => {
    const resume = which === 'consumer' ? wakeConsumer : wakeProducer;
    if (which === 'consumer') wakeConsumer = null;
    else wakeProducer = null;
    resume?.();
  };
  const producer = (async () => {
    try {
      while (!stopped) {
        if (held.length >= depth) {
          await new Promise<void>((resume) => (wakeProducer = resume));
          continue;
        }
        const next = await iterator.next();
        if (next.done) break;
        held.push(next.value);
        wake('consumer');
      }
    } catch (error) {
      failure = { error };
    } finally {
      finished = true;
      wake('consumer');
    }
  })();
  try {
    for (;;) {
      if (held.length > 0) {
        const value = held.shift()!;
        wake('producer');
        yield value;
      } else if (finished) {
        if (failure) throw (failure as { error: unknown }).error;
        return;
      } else await new Promise<void>((resume) => (wakeConsumer = resume));
    }
  } finally {
    stopped = true;
    wake('producer');
    await producer;
    await iterator.return?.();
  }
}
