// Loaded by bench/library-import.ts into the shipped CLI it runs (NODE_OPTIONS=--require), so the
// bundle is measured as a user runs it, unchanged. Plain CommonJS: the bundle runs under plain
// Node, without tsx. Every 250 ms it samples the process's RSS and the V8 heaps of its main thread
// and of the parse worker; at exit it writes what the bench reports to CERTVAULT_BENCH_PROBE:
// the process's wall time, the RSS when the parse worker starts (modules loaded, vault open, files counted: what is there
// before the import proper), the high-water mark of the process (every thread), the largest heap
// of each thread, and the CPU time of the main thread and of the process.
'use strict';

const fs = require('node:fs');
const v8 = require('node:v8');
const threads = require('node:worker_threads');

const target = process.env.CERTVAULT_BENCH_PROBE;
if (threads.isMainThread && target) {
  const workers = new Set();
  const peak = { mainHeap: 0, mainYoung: 0, mainOld: 0, workerHeap: 0, external: 0 };
  let rssAtWorkerStart = null;
  const Worker = threads.Worker;
  threads.Worker = class ProbedWorker extends Worker {
    constructor(...args) {
      rssAtWorkerStart ??= process.memoryUsage.rss();
      super(...args);
      workers.add(this);
      this.once('exit', () => workers.delete(this));
    }
  };
  const sample = async () => {
    const memory = process.memoryUsage();
    peak.mainHeap = Math.max(peak.mainHeap, memory.heapTotal);
    peak.external = Math.max(peak.external, memory.external);
    for (const space of v8.getHeapSpaceStatistics()) {
      if (space.space_name === 'new_space') peak.mainYoung = Math.max(peak.mainYoung, space.space_size);
      if (space.space_name === 'old_space') peak.mainOld = Math.max(peak.mainOld, space.space_size);
    }
    for (const worker of workers) {
      // A worker that exits between the listing and the question has nothing more to report.
      const heap = await worker.getHeapStatistics().catch(() => null);
      if (heap) peak.workerHeap = Math.max(peak.workerHeap, heap.total_heap_size);
    }
  };
  setInterval(() => void sample(), 250).unref();
  process.once('exit', () => {
    const seconds = ({ user, system }) => (user + system) / 1e6;
    const report = {
      seconds: process.uptime(),
      rssAtWorkerStart,
      maxRss: process.resourceUsage().maxRSS * 1024,
      peak,
      mainThreadCpuSeconds: seconds(process.threadCpuUsage()),
      processCpuSeconds: seconds(process.cpuUsage()),
    };
    fs.writeFileSync(target, JSON.stringify(report));
  });
}
