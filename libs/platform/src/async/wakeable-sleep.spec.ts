import { WakeableSleep } from './wakeable-sleep';

describe('WakeableSleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('ends after the given time when nobody wakes it', async () => {
    const pause = new WakeableSleep();
    let done = false;
    const sleeping = pause.sleep(1000).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it('ends at once when woken', async () => {
    const pause = new WakeableSleep();
    let done = false;
    const sleeping = pause.sleep(60_000).then(() => (done = true));
    pause.wake();
    await sleeping;
    expect(done).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('remembers a wake-up that came while it was not sleeping, once', async () => {
    const pause = new WakeableSleep();
    pause.wake();
    await pause.sleep(60_000); // returns at once: the fake clock never moves
    let done = false;
    void pause.sleep(1000).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(500);
    expect(done).toBe(false);
  });
});
