/**
 * Gathers the calls that arrive while one batch is in flight and sends them as the next
 * batch: under load many reads or writes share a statement (and a commit); alone, a call
 * goes at once. Each caller's promise settles with its own item's result once the batch
 * holding it has finished, or rejects if that batch failed.
 */
export class CoalescingBatcher<T, R = void> {
  private queued: Array<{ item: T; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
  private flushing = false;

  /** `run` answers with one result per item, in the items' order (nothing for writes). */
  constructor(
    private readonly run: (items: T[]) => Promise<readonly R[] | void>,
    private readonly maxBatch = 500,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, this.maxBatch);
      try {
        const results = await this.run(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results?.[index] as R));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing = false;
  }
}
