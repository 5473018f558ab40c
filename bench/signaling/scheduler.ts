/**
 * Open-loop scheduling on one timer: callbacks run at (or, if the process is
 * busy, after) their scheduled time and receive that scheduled time, which is
 * what latency is measured from.
 */
interface Job {
  t: number;
  fn: (t: number) => void;
  period: number;
}

export class Scheduler {
  readonly #heap: Job[] = [];
  #timer: NodeJS.Timeout | null = null;
  #armedFor = Infinity;
  #running = false;

  at(t: number, fn: (t: number) => void): void {
    this.#push({ t, fn, period: 0 });
  }

  every(first: number, period: number, fn: (t: number) => void): void {
    this.#push({ t: first, fn, period });
  }

  clear(): void {
    this.#heap.length = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#armedFor = Infinity;
  }

  #push(job: Job): void {
    const h = this.#heap;
    h.push(job);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.t <= h[i]!.t) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
    this.#arm();
  }

  #pop(): Job {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.t < h[m]!.t) m = l;
        if (r < h.length && h[r]!.t < h[m]!.t) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }

  #arm(): void {
    if (this.#running) return;
    const next = this.#heap[0]?.t ?? Infinity;
    if (next >= this.#armedFor) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#armedFor = next;
    this.#timer = setTimeout(() => this.#run(), Math.max(0, next - performance.now()));
  }

  #run(): void {
    this.#timer = null;
    this.#armedFor = Infinity;
    const now = performance.now();
    this.#running = true;
    try {
      while (this.#heap.length > 0 && this.#heap[0]!.t <= now) {
        const job = this.#pop();
        if (job.period > 0) this.#push({ ...job, t: job.t + job.period });
        job.fn(job.t);
      }
    } finally {
      this.#running = false;
    }
    this.#arm();
  }
}
