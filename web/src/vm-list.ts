// The VMs matching the filters, fetched a page at a time as the timeline needs them (or all of them, for
// groupings the API's order does not keep together).
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Api } from "./api";
import type { Page, Vm } from "./types";

const PAGE = 500;

export interface VmList {
  items: Vm[];
  done: boolean;
  error: string | null;
  /** Fetch the next page, if any and none is on its way. */
  more(): void;
}

export function useVmList(api: Api, query: string, all: boolean): VmList {
  const [state, setState] = useState<{ items: Vm[]; done: boolean; error: string | null }>({ items: [], done: false, error: null });
  const cursor = useRef<{ next: string | null; busy: boolean; generation: number }>({ next: null, busy: false, generation: 0 });

  const load = useCallback(async (generation: number) => {
    const c = cursor.current;
    if (c.busy || !c.next || c.generation !== generation) return;
    c.busy = true;
    try {
      const page = await api.get<Page<Vm>>(c.next);
      if (c.generation !== generation) return;
      c.next = page.nextLink;
      setState((s) => ({ items: s.items.concat(page.value), done: page.nextLink === null, error: null }));
    } catch (error) {
      if (c.generation === generation) setState((s) => ({ ...s, error: `VMs could not be read: ${error instanceof Error ? error.message : error}` }));
      c.next = null;
    } finally {
      if (c.generation === generation) c.busy = false;
    }
  }, [api]);

  useEffect(() => {
    const generation = cursor.current.generation + 1;
    cursor.current = { next: `/v1/virtual-machines?${query}${query ? "&" : ""}limit=${PAGE}`, busy: false, generation };
    setState({ items: [], done: false, error: null });
    void (async () => {
      await load(generation);
      while (all && cursor.current.generation === generation && cursor.current.next) await load(generation);
    })();
  }, [query, all, load]);

  const more = useCallback(() => void load(cursor.current.generation), [load]);
  return { ...state, more };
}
