// The one place that reads the environment. `loadConfig` is called once by main.ts; everything else receives
// the frozen result. A bad value stops the process with a message that names the variable.
import { parseDeadlineWarnings, type DeadlineWarning } from "../domain/deadlines.js";
import { parseDuration } from "../domain/duration.js";
import type { RetentionSettings } from "../domain/retention.js";
import { parseSecretKey } from "../domain/webhook-secrets.js";

export type AzureMode = "azure" | "simulator";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
export type AuthMode = "entra" | "none";
/** Where a user's or application's group membership comes from (AUTH_GROUP_SOURCE). */
export type GroupSource = "claim-or-graph" | "graph" | "claim";

/** Group membership for scope assignments that name groups. */
export interface GroupsConfig {
  /** `claim-or-graph`: the token's `groups` claim, Graph when the token lists none; `graph`: always Graph; `claim`: never Graph. */
  source: GroupSource;
  /** Microsoft Graph base URL (national clouds, test doubles). */
  graphUrl: string;
  /** Static bearer token for Graph test doubles; null → DefaultAzureCredential. */
  graphToken: string | null;
  /** How long a principal's groups from Graph are reused. */
  cacheTtlMs: number;
}

/** How bearer tokens from Microsoft Entra ID are verified (AUTH_MODE=entra). */
export interface EntraAuthConfig {
  tenantId: string | null;
  /** Accepted `aud` values: the Application ID URI and/or the app's client id. */
  audiences: string[];
  /** Accepted `iss` values (v2 and, when configured, v1 issuers). */
  issuers: string[];
  jwksUrl: string;
  clockSkewSeconds: number;
  groups: GroupsConfig;
}

/** What the page served at `/` needs to sign users in with MSAL (AUTH_MODE=entra). Public values only. */
export interface UiConfig {
  /** The page's own Entra app registration (a single-page application); null: sign-in is not configured. */
  clientId: string | null;
  /** Where MSAL signs users in, e.g. https://login.microsoftonline.com/{tenant}. */
  authority: string | null;
  /** The scope the page asks for to call this API, e.g. api://maintenance-planner/.default. */
  apiScope: string | null;
  /** How often the page re-reads what it shows when the event stream is unavailable (UI_POLL_INTERVAL). */
  pollIntervalMs: number;
}

export interface Config {
  azureMode: AzureMode;
  subscriptionIds: string[];
  armEndpoint: string;
  /** Static bearer token for ARM test doubles; unset → DefaultAzureCredential. */
  armToken: string | null;
  /** Unset → embedded PostgreSQL (laptop mode, see bootstrap/embedded-postgres-home.ts). */
  databaseUrl: string | null;
  /** Where the embedded PostgreSQL listens (127.0.0.1) when DATABASE_URL is unset. */
  embeddedPostgresPort: number;
  /** The (owner) role that runs migrations; unset → DATABASE_URL's. The service then runs as DATABASE_URL's role. */
  databaseMigrationUrl: string | null;
  port: number;
  host: string;
  syncIntervalMs: number;
  /** VMs without pending maintenance or an active booking have their instance view re-read this often. */
  syncSweepIntervalMs: number;
  /** Parallel instance-view reads per subscription during a sync. */
  syncConcurrency: number;
  logLevel: LogLevel;
  /** A booking must start at least this long after it is made or changed. */
  bookingMinLeadSeconds: number;
  /** A booking must start at least this long before its self-service window ends, so retries have room. */
  bookingEndMarginSeconds: number;
  /** How often the scheduler looks for due bookings. */
  dispatchIntervalMs: number;
  /** The pause between update domains of one availability set or scale set (the planner; a group may set longer). */
  updateDomainGapMs: number;
  /** Attempts per booking before it ends `failed`. */
  executionMaxAttempts: number;
  /** A booking this late (no replica ran at its time) still starts while its window is open; later → `missed`. */
  misfireGraceSeconds: number;
  /** How long a claimed booking stays leased without a heartbeat before another replica may take it over. */
  leaseDurationMs: number;
  /** How often a running performMaintenance operation is polled (Azure's Retry-After on a poll overrides it). */
  operationPollIntervalMs: number;
  /** SIGTERM: how long to wait for in-flight work before exiting anyway. */
  shutdownTimeoutSeconds: number;
  /** Start-up: how long to wait for the database to accept connections before giving up. */
  databaseConnectTimeoutMs: number;
  /** How long a query waits for a pooled connection before the request is answered 503. */
  databasePoolTimeoutMs: number;
  /** `none` only when asked for (or in simulator mode): every caller is `anonymous` with every role. */
  authMode: AuthMode;
  /** Set when authMode is `entra`. */
  entra: EntraAuthConfig | null;
  /** Requests per minute per caller (token principal, else client address) on /v1. */
  rateLimitPerMinute: number;
  /** Simulator mode: a scenario file of timed changes to the simulated fleet (src/azure/simulator/scenario.ts). */
  simulatorScenario: string | null;
  /** Simulator mode: how long a simulated performMaintenance operation runs. */
  simulatorOperationDurationMs: number;
  /** How often the database-derived gauges are counted (never per scrape). */
  metricsRefreshIntervalMs: number;
  /** Serve /metrics on this port instead of PORT; null: on PORT. */
  metricsPort: number | null;
  /** Scrapes must send `Authorization: Bearer <token>`; null: /metrics is open. */
  metricsBearerToken: string | null;
  /** Sign-in for the page; all null when authMode is `none`. */
  ui: UiConfig;
  /** `deadline.approaching` is announced once as an unbooked VM's self-service window end comes within each. */
  deadlineWarnings: DeadlineWarning[];
  /** Where clients reach this service (e.g. `https://planner.contoso.com`), for absolute links; null: relative. */
  publicBaseUrl: string | null;
  webhooks: WebhookConfig;
  eventStream: EventStreamConfig;
  /** OUTBOX_RETENTION and IDEMPOTENCY_KEY_RETENTION: what the `retention` job prunes when (src/domain/retention.ts). */
  retention: RetentionSettings;
}

/** GET /v1/event-stream (src/services/event-stream.ts). */
export interface EventStreamConfig {
  /** Open streams per process; beyond it 503 with Retry-After. */
  maxStreams: number;
  /** A comment line this often on every stream, so proxies keep it open. */
  heartbeatMs: number;
  /** Events a resumed stream may replay; more missed → 410 `event-stream-gap`. */
  replayMax: number;
}

export interface WebhookConfig {
  /** Base64 of 32 bytes: seals webhook signing secrets at rest. null: generated under `.data/` in simulator mode, else webhooks are off. */
  secretKey: string | null;
  /** Delays between attempts of one delivery (WEBHOOK_RETRY_SCHEDULE). */
  retryScheduleMs: number[];
  /** A subscription failing this long without a success is disabled. */
  disableAfterMs: number;
  /** Lifts the https-only and public-address rules (local use and tests only). */
  allowInsecure: boolean;
  /** One delivery request, connect to last byte. */
  timeoutMs: number;
  /** How often the delivery worker looks for new events when idle. */
  pollIntervalMs: number;
  /** Deliveries in flight per process. */
  concurrency: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function duration(env: Env, name: string, fallback: string): number {
  const raw = text(env, name) ?? fallback;
  const ms = parseDuration(raw);
  if (ms === null || ms <= 0) throw new ConfigError(name, `must be a duration like 30s, 10m or 1h, got "${raw}"`);
  return ms;
}

function durationList(env: Env, name: string, fallback: string): number[] {
  const raw = text(env, name) ?? fallback;
  const list = raw.split(",").map((s) => parseDuration(s));
  if (list.some((ms) => ms === null || ms < 0)) throw new ConfigError(name, `must be comma-separated durations like 5s,30s,2m, got "${raw}"`);
  return list as number[];
}

function flag(env: Env, name: string): boolean {
  return oneOf(env, name, ["true", "false"], "false") === "true";
}

function secretKey(env: Env, name: string): string | null {
  const raw = text(env, name);
  if (raw !== null && !parseSecretKey(raw)) throw new ConfigError(name, "must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)");
  return raw;
}

function webhookConfig(env: Env): WebhookConfig {
  return {
    secretKey: secretKey(env, "WEBHOOK_SECRET_KEY"),
    retryScheduleMs: durationList(env, "WEBHOOK_RETRY_SCHEDULE", "5s,30s,2m,10m,30m,1h,3h,6h,6h,6h"),
    disableAfterMs: duration(env, "WEBHOOK_DISABLE_AFTER", "3d"),
    allowInsecure: flag(env, "WEBHOOK_ALLOW_INSECURE"),
    timeoutMs: duration(env, "WEBHOOK_TIMEOUT", "10s"),
    pollIntervalMs: duration(env, "WEBHOOK_POLL_INTERVAL", "1s"),
    concurrency: integer(env, "WEBHOOK_CONCURRENCY", 32, 1, 1000),
  };
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name) ?? fallback;
  if (!allowed.includes(raw as T)) throw new ConfigError(name, `must be one of ${allowed.join(", ")}, got "${raw}"`);
  return raw as T;
}

function parsedUrl(env: Env, name: string, fallback: string): { raw: string; url: URL } {
  const raw = text(env, name) ?? fallback;
  try {
    return { raw, url: new URL(raw) };
  } catch {
    throw new ConfigError(name, `must be a URL, got "${raw}"`);
  }
}

function httpsUrl(env: Env, name: string, fallback: string): string {
  const { raw, url } = parsedUrl(env, name, fallback);
  if (url.protocol !== "https:") throw new ConfigError(name, `must be an https URL (ARM is https only), got "${raw}"`);
  return raw.replace(/\/+$/, "");
}

function postgresUrl(env: Env, name: string): string | null {
  const raw = text(env, name);
  if (raw === null) return null;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError(name, "must be a postgres:// or postgresql:// URL");
  return raw;
}

function list(env: Env, name: string): string[] {
  return (text(env, name) ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** An https URL, or http to this machine only (a local double in tests); keys and tokens must not travel in clear. */
function secureUrl(env: Env, name: string, fallback: string): string {
  const { raw, url } = parsedUrl(env, name, fallback);
  const loopback = url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !loopback) throw new ConfigError(name, `must be an https URL (http only for 127.0.0.1/localhost), got "${raw}"`);
  return raw;
}

function groupsConfig(env: Env): GroupsConfig {
  return {
    source: oneOf(env, "AUTH_GROUP_SOURCE", ["claim-or-graph", "graph", "claim"], "claim-or-graph"),
    graphUrl: secureUrl(env, "AUTH_GRAPH_URL", "https://graph.microsoft.com").replace(/\/+$/, ""),
    graphToken: text(env, "AUTH_GRAPH_TOKEN"),
    cacheTtlMs: duration(env, "AUTH_GROUP_CACHE_TTL", "5m"),
  };
}

function deadlineWarnings(env: Env, name: string, fallback: string): DeadlineWarning[] {
  const raw = text(env, name) ?? fallback;
  if (raw.toLowerCase() === "none") return [];
  const warnings = parseDeadlineWarnings(raw);
  if (!warnings?.length) throw new ConfigError(name, `must be comma-separated durations like 7d,2d,12h (or none), got "${raw}"`);
  return warnings;
}

/** An http(s) base URL without query or fragment; returned without a trailing slash. */
function baseUrl(env: Env, name: string): string | null {
  if (text(env, name) === null) return null;
  const { raw, url } = parsedUrl(env, name, "");
  if (!["http:", "https:"].includes(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(name, `must be an http(s) URL without query, fragment or credentials, got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}

const TENANT = /^[A-Za-z0-9.-]{1,253}$/;

function entraConfig(env: Env): EntraAuthConfig {
  const tenantId = text(env, "AUTH_TENANT_ID");
  if (tenantId !== null && !TENANT.test(tenantId)) throw new ConfigError("AUTH_TENANT_ID", `must be a tenant id (GUID) or domain, got "${tenantId}"`);
  const audiences = list(env, "AUTH_AUDIENCE");
  if (audiences.length === 0) throw new ConfigError("AUTH_AUDIENCE", "must be set when AUTH_MODE=entra (the API's Application ID URI and/or client id, comma-separated)");
  const issuers = list(env, "AUTH_ISSUER");
  const needsTenant = issuers.length === 0 || text(env, "AUTH_JWKS_URL") === null;
  if (needsTenant && tenantId === null) throw new ConfigError("AUTH_TENANT_ID", "must be set when AUTH_MODE=entra (or set both AUTH_ISSUER and AUTH_JWKS_URL)");
  return {
    tenantId,
    audiences,
    // v2 tokens carry the v2 issuer; an API whose manifest keeps accessTokenAcceptedVersion 1 gets v1 tokens.
    issuers: issuers.length ? issuers : [`https://login.microsoftonline.com/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`],
    jwksUrl: secureUrl(env, "AUTH_JWKS_URL", `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`),
    clockSkewSeconds: duration(env, "AUTH_CLOCK_SKEW", "60s") / 1000,
    groups: groupsConfig(env),
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The page signs in with its own app registration, against the API's tenant, for the API's first audience. */
function uiConfig(env: Env, entra: EntraAuthConfig | null): UiConfig {
  const pollIntervalMs = duration(env, "UI_POLL_INTERVAL", "5s");
  if (!entra) return { clientId: null, authority: null, apiScope: null, pollIntervalMs };
  const clientId = text(env, "UI_CLIENT_ID");
  if (clientId !== null && !GUID.test(clientId)) throw new ConfigError("UI_CLIENT_ID", `must be the page's application (client) id, a GUID, got "${clientId}"`);
  let authority: string | null = null;
  if (text(env, "UI_AUTHORITY") !== null || entra.tenantId !== null) {
    const { raw, url } = parsedUrl(env, "UI_AUTHORITY", `https://login.microsoftonline.com/${entra.tenantId}`);
    if (url.protocol !== "https:") throw new ConfigError("UI_AUTHORITY", `must be an https URL, got "${raw}"`);
    authority = raw.replace(/\/+$/, "");
  }
  if (clientId !== null && authority === null) throw new ConfigError("UI_AUTHORITY", "must be set when UI_CLIENT_ID is set and AUTH_TENANT_ID is not");
  return { clientId, authority, apiScope: text(env, "UI_API_SCOPE") ?? `${entra.audiences[0].replace(/\/+$/, "")}/.default`, pollIntervalMs };
}

function subscriptions(env: Env, name: string): string[] {
  const raw = text(env, name);
  if (raw === null) return [];
  const ids = raw.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = ids.find((id) => !GUID.test(id));
  if (bad) throw new ConfigError(name, `must be comma-separated subscription GUIDs, got "${bad}"`);
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

function migrationUrl(env: Env): string | null {
  const url = postgresUrl(env, "DATABASE_MIGRATION_URL");
  if (url !== null && text(env, "DATABASE_URL") === null) throw new ConfigError("DATABASE_MIGRATION_URL", "needs DATABASE_URL (the embedded PostgreSQL has one role)");
  return url;
}

export function loadConfig(env: Env): Readonly<Config> {
  const subscriptionIds = subscriptions(env, "AZURE_SUBSCRIPTION_IDS");
  const azureMode = oneOf(env, "AZURE_MODE", ["azure", "simulator"], subscriptionIds.length ? "azure" : "simulator");
  if (azureMode === "azure" && subscriptionIds.length === 0) {
    throw new ConfigError("AZURE_SUBSCRIPTION_IDS", "must list at least one subscription when AZURE_MODE=azure");
  }
  // Anonymous access must be asked for outside the simulator: forgetting AUTH_* must not open the API.
  const authMode = oneOf(env, "AUTH_MODE", ["entra", "none"], azureMode === "azure" ? "entra" : "none");
  const entra = authMode === "entra" ? entraConfig(env) : null;
  return Object.freeze({
    azureMode,
    subscriptionIds,
    armEndpoint: httpsUrl(env, "AZURE_ARM_ENDPOINT", "https://management.azure.com"),
    armToken: text(env, "AZURE_ARM_TOKEN"),
    databaseUrl: postgresUrl(env, "DATABASE_URL"),
    embeddedPostgresPort: integer(env, "EMBEDDED_POSTGRES_PORT", 54329, 1, 65535),
    databaseMigrationUrl: migrationUrl(env),
    port: integer(env, "PORT", 3000, 0, 65535),
    host: text(env, "HOST") ?? "127.0.0.1",
    syncIntervalMs: duration(env, "SYNC_INTERVAL", "10m"),
    syncSweepIntervalMs: duration(env, "SYNC_SWEEP_INTERVAL", "6h"),
    syncConcurrency: integer(env, "SYNC_CONCURRENCY", 16, 1, 256),
    logLevel: oneOf(env, "LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace", "silent"], "info"),
    bookingMinLeadSeconds: integer(env, "BOOKING_MIN_LEAD_SECONDS", 300, 0, 86_400),
    bookingEndMarginSeconds: integer(env, "BOOKING_END_MARGIN_SECONDS", 1800, 0, 7 * 86_400),
    dispatchIntervalMs: duration(env, "DISPATCH_INTERVAL", "5s"),
    // Azure gives a rebooted update domain 30 minutes before it starts the next.
    updateDomainGapMs: duration(env, "UPDATE_DOMAIN_GAP", "30m"),
    executionMaxAttempts: integer(env, "EXECUTION_MAX_ATTEMPTS", 5, 1, 100),
    misfireGraceSeconds: integer(env, "MISFIRE_GRACE_SECONDS", 3600, 0, 7 * 86_400),
    leaseDurationMs: duration(env, "LEASE_DURATION", "60s"),
    // 10 s, not the SDK's 2 s: hundreds of operations in flight per subscription must stay within ARM's read budget.
    operationPollIntervalMs: duration(env, "OPERATION_POLL_INTERVAL", "10s"),
    shutdownTimeoutSeconds: integer(env, "SHUTDOWN_TIMEOUT_SECONDS", 30, 1, 3600),
    databaseConnectTimeoutMs: duration(env, "DATABASE_CONNECT_TIMEOUT", "30s"),
    databasePoolTimeoutMs: duration(env, "DATABASE_POOL_TIMEOUT", "5s"),
    authMode,
    entra,
    rateLimitPerMinute: integer(env, "RATE_LIMIT_PER_MINUTE", 600, 1, 1_000_000),
    simulatorScenario: text(env, "SIMULATOR_SCENARIO"),
    simulatorOperationDurationMs: duration(env, "SIMULATOR_OPERATION_DURATION", "2m"),
    metricsRefreshIntervalMs: duration(env, "METRICS_REFRESH_INTERVAL", "15s"),
    metricsPort: text(env, "METRICS_PORT") === null ? null : integer(env, "METRICS_PORT", 0, 0, 65535),
    metricsBearerToken: text(env, "METRICS_BEARER_TOKEN"),
    ui: uiConfig(env, entra),
    deadlineWarnings: deadlineWarnings(env, "DEADLINE_WARNINGS", "7d,2d,12h"),
    publicBaseUrl: baseUrl(env, "PUBLIC_BASE_URL"),
    webhooks: Object.freeze(webhookConfig(env)),
    eventStream: Object.freeze({
      maxStreams: integer(env, "EVENT_STREAM_MAX", 200, 0, 100_000),
      heartbeatMs: duration(env, "EVENT_STREAM_HEARTBEAT", "15s"),
      replayMax: integer(env, "EVENT_STREAM_REPLAY_MAX", 1000, 0, 100_000),
    }),
    retention: Object.freeze({
      outboxMs: duration(env, "OUTBOX_RETENTION", "30d"),
      idempotencyKeyMs: duration(env, "IDEMPOTENCY_KEY_RETENTION", "7d"),
    }),
  });
}
