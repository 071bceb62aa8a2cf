// Loading one thing from the API for a page: its data, the problem if it failed, whether it is in
// flight, and a way to load it again (after a change). A newer load wins over an older one.
import { useCallback, useEffect, useRef, useState } from 'react';
import { toApiError, type ApiError } from './problem.js';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload(): Promise<void>;
  /** Replaces the data with what a write answered, without asking the server again. */
  set(data: T): void;
}

export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);

  // The caller lists what the load depends on, as with useEffect.
  const run = useCallback(load, deps);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const value = await run();
      if (mine !== generation.current) return;
      setData(value);
      setError(null);
    } catch (caught) {
      if (mine === generation.current) setError(toApiError(caught));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [run]);

  useEffect(() => {
    void reload();
    return () => {
      generation.current++;
    };
  }, [reload]);

  return { data, error, loading, reload, set: setData };
}
