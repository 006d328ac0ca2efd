/**
 * A small typed client for metaopt's REST API, shared by the CLI and the demo. Errors come
 * back as MetaoptApiError carrying the server's stable code.
 */
export class MetaoptApiError extends Error {
  override readonly name = 'MetaoptApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SubmittedRun {
  readonly id: string;
  readonly kind: string;
  readonly role: 'cell' | 'dependency';
  readonly status: string;
}

export interface Submission {
  readonly id: string;
  readonly cached: boolean;
  readonly runs: readonly SubmittedRun[];
}

export interface RunView {
  readonly id: string;
  readonly kind: string;
  readonly task: string;
  readonly contender: string | null;
  readonly status: string;
  readonly spec: Record<string, unknown>;
  readonly progress: { fraction?: number; epoch?: number; step?: number; loss?: number } | null;
  readonly summary: Record<string, number> | null;
  readonly error: { code: string; message: string } | null;
  readonly backend: string | null;
  readonly role?: string;
}

export interface SweepView {
  readonly id: string;
  readonly name: string | null;
  readonly status: string;
  readonly counts: Record<string, number>;
  readonly runs: readonly RunView[];
  readonly best?: Record<string, { runId: string; meanSumLoss: number | null; lr: number | null }>;
}

export interface CurveView {
  readonly series: string;
  /** How many entries the curve has in all; `step` says which of them were returned. */
  readonly steps: number;
  readonly problems: number;
  readonly step: readonly number[];
  readonly mean: readonly number[];
  readonly std: readonly number[] | null;
  readonly p10: readonly number[] | null;
  readonly p90: readonly number[] | null;
}

export interface RunPage {
  readonly items: readonly RunView[];
  readonly nextCursor: string | null;
}

export interface ComparisonSubmission extends Submission {
  readonly queued: number;
  readonly joined: number;
}

export interface ComparisonView {
  readonly id: string;
  readonly name: string | null;
  /** 'running' until its report is written, then 'succeeded' (or 'failed'). */
  readonly status: string;
  readonly runs: { readonly status: string; readonly counts: Record<string, number> };
  readonly result: {
    readonly panels: readonly { readonly title: string }[];
    readonly metaLr?: number;
  } | null;
  /** Per panel, the table in Markdown. */
  readonly tables: readonly string[];
  /** Per panel, the path of its SVG figure. */
  readonly figures: readonly string[];
  readonly error: { code: string; message: string } | null;
}

export interface ImportedCheckpoint {
  readonly id: string;
  readonly size: number;
  readonly created: boolean;
  readonly learned: { readonly hiddenSize: number; readonly preprocess: boolean };
}

export interface CheckpointRefView {
  readonly checkpointId: string;
  readonly role: string;
  readonly epoch: number;
  readonly score: number | null;
  readonly url: string;
}

export interface RunFilter {
  readonly kind?: string;
  readonly status?: string;
  readonly task?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export class MetaoptClient {
  /** `apiKey` is sent as a bearer token; servers configured without keys ignore it. */
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  submitSweep(sweep: unknown): Promise<Submission> {
    return this.request('POST', '/v1/sweeps', sweep);
  }

  submitRun(run: unknown): Promise<Submission> {
    return this.request('POST', '/v1/runs', run);
  }

  sweep(id: string, best = false): Promise<SweepView> {
    return this.request('GET', `/v1/sweeps/${id}${best ? '?best=true' : ''}`);
  }

  run(id: string): Promise<RunView> {
    return this.request('GET', `/v1/runs/${id}`);
  }

  listRuns(filter: RunFilter = {}): Promise<RunPage> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) {
      if (value !== undefined) query.set(key, String(value));
    }
    return this.request('GET', `/v1/runs?${query}`);
  }

  async curves(id: string, maxPoints?: number): Promise<readonly CurveView[]> {
    const query = maxPoints ? `?maxPoints=${maxPoints}` : '';
    const body = await this.request<{ curves: CurveView[] }>(
      'GET',
      `/v1/runs/${id}/curves${query}`,
    );
    return body.curves;
  }

  submitComparison(comparison: unknown): Promise<ComparisonSubmission> {
    return this.request('POST', '/v1/comparisons', comparison);
  }

  comparison(id: string): Promise<ComparisonView> {
    return this.request('GET', `/v1/comparisons/${id}`);
  }

  /** A panel's figure, an SVG document. */
  async comparisonFigure(id: string, panel: number): Promise<string> {
    const url = this.urlOf(`/v1/comparisons/${id}/figures/${panel}`);
    const response = await this.send(url, { headers: this.authHeaders() });
    if (response.ok) return response.text();
    const payload = (await response.json()) as { code?: string; message?: string };
    throw new MetaoptApiError(response.status, payload.code ?? 'UNKNOWN', payload.message ?? '');
  }

  /** Imports a PyTorch state_dict of the LSTM optimizer (JSON) as a checkpoint. */
  importCheckpoint(stateDict: unknown): Promise<ImportedCheckpoint> {
    return this.request('POST', '/v1/checkpoints', stateDict);
  }

  /** A checkpoint's weights as a PyTorch state_dict. */
  checkpoint(id: string): Promise<Record<string, unknown>> {
    return this.request('GET', `/v1/checkpoints/${id}`);
  }

  async runCheckpoints(runId: string): Promise<readonly CheckpointRefView[]> {
    const page = await this.request<{ items: CheckpointRefView[] }>(
      'GET',
      `/v1/runs/${runId}/checkpoints`,
    );
    return page.items;
  }

  async ready(): Promise<boolean> {
    try {
      const response = await fetch(new URL('/readyz', this.baseUrl));
      return response.ok;
    } catch {
      return false;
    }
  }

  /** An absolute URL of this server, for clients other than fetch (event streams). */
  urlOf(path: string): URL {
    return new URL(path, this.baseUrl);
  }

  authHeaders(): Record<string, string> {
    return this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
  }

  /** fetch, with "cannot connect" turned into an error that says what to do about it. */
  private async send(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      throw new MetaoptApiError(
        0,
        'API_UNREACHABLE',
        `cannot reach the metaopt API at ${this.baseUrl} (${(error as Error).message}); ` +
          'start it with `npm run api`, or point --api or METAOPT_API_URL at it',
      );
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(new URL(path, this.baseUrl), {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...this.authHeaders(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json()) as T & { code?: string; message?: string };
    if (!response.ok) {
      throw new MetaoptApiError(response.status, payload.code ?? 'UNKNOWN', payload.message ?? '');
    }
    return payload;
  }
}
