// A pooled connection that LISTENs (the webhook worker and the event stream hub each hold one): its handlers are
// attached before the first LISTEN, and close() gives the connection back as it came — not listening, without our
// handlers (they would pile up on a pooled client otherwise). A failed LISTEN releases it as broken.
import type pg from "pg";

export interface Listening {
  close(): Promise<void>;
}

export async function listen(pool: pg.Pool, channels: string[], onNotification: (msg: pg.Notification) => void, onError: (err: Error) => void): Promise<Listening> {
  const client = await pool.connect();
  const detach = () => {
    client.off("notification", onNotification);
    client.off("error", onError);
  };
  client.on("notification", onNotification);
  client.on("error", onError);
  try {
    for (const channel of channels) await client.query(`LISTEN ${channel}`);
  } catch (err) {
    detach();
    client.release(err as Error);
    throw err;
  }
  return {
    async close() {
      client.off("notification", onNotification);
      await client.query("UNLISTEN *").catch(() => undefined);
      detach();
      client.release();
    },
  };
}
