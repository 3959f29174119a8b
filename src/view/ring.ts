/**
 * A ring buffer of at most `capacity` items: pushing onto a full ring drops
 * the oldest. Memory stays bounded however long memtop runs.
 */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  /** Index of the oldest item. */
  private start = 0;
  private count = 0;
  /** Changes on every push and clear: lets readers cache what they derive. */
  version = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, not ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
    this.version++;
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.version++;
  }

  /** Item i, 0 being the oldest; undefined outside 0..length-1. */
  at(i: number): T | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) return undefined;
    return this.items[(this.start + i) % this.capacity];
  }

  /** The newest item. */
  last(): T | undefined {
    return this.at(this.count - 1);
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity]!);
    return out;
  }
}
