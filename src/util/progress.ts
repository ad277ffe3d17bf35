// The progress contract library code reports long work through, and the silent default (the CLI passes a terminal bar).

/** A progress sink that library functions call; the CLI passes a bar, library users anything. */
export interface Progress {
  start(total: number, label: string): void;
  update(done: number): void;
  stop(): void;
}

/** A progress sink that does nothing (the library default). */
export const silentProgress: Progress = { start() {}, update() {}, stop() {} };
