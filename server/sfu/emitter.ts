/**
 * A small typed event emitter. Listeners run synchronously in registration
 * order; a throwing listener is reported to `onListenerError` and never breaks
 * the SFU state change that emitted the event.
 */
export class TypedEmitter<E extends object> {
  readonly #listeners = new Map<keyof E, Set<(payload: never) => void>>();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {}

  /** Subscribe; returns the function that unsubscribes. */
  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (payload: E[K]) => void)(payload);
      } catch (err) {
        this.onListenerError(String(event), err);
      }
    }
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }
}
