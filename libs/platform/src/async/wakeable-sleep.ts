/**
 * A pause between rounds of a background loop that other code can cut short: new work was
 * committed, or the service is stopping. A wake-up while the loop is busy is remembered, so
 * the next pause returns at once instead of losing the signal.
 */
export class WakeableSleep {
  private wakeSleeper: (() => void) | undefined;
  private wokenEarly = false;

  sleep(ms: number): Promise<void> {
    if (this.wokenEarly) {
      this.wokenEarly = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeSleeper = finish;
    });
  }

  wake(): void {
    if (this.wakeSleeper) this.wakeSleeper();
    else this.wokenEarly = true;
  }
}
