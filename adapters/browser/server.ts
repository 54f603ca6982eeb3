/**
 * The HTTP server the browser pages load from: bound to 127.0.0.1 on a free port, serving only the
 * files the bundles name (the installed npm packages' dist files and convcheck's page scripts) and
 * one generated HTML page per bundle. Nothing else is reachable and nothing is fetched from the
 * network: a bundle whose files are missing fails at start with the file it lacks. ES modules and
 * WebAssembly need http (Chromium refuses module imports from file: URLs).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One page a bundle serves: its classic scripts, then its module script (the page runtime). */
export interface PageSpec {
  /** `/<name>.html`. */
  readonly name: string;
  /** URL paths of classic scripts, loaded in order before the module. */
  readonly scripts: readonly string[];
  /** URL path of the page runtime module. */
  readonly module: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.html': 'text/html; charset=utf-8',
};

function contentType(file: string): string {
  const dot = file.lastIndexOf('.');
  return CONTENT_TYPES[dot >= 0 ? file.slice(dot) : ''] ?? 'application/octet-stream';
}

/** The HTML of a bundle page: no favicon request, the classic scripts, then the runtime module. */
export function pageHtml(spec: PageSpec): string {
  return [
    '<!doctype html>', '<meta charset="utf-8">', `<title>convcheck ${spec.name}</title>`, '<link rel="icon" href="data:,">',
    ...spec.scripts.map((s) => `<script src="${s}"></script>`),
    `<script type="module" src="${spec.module}"></script>`,
  ].join('\n');
}

/** A running file server: its origin (`http://127.0.0.1:PORT`), and how to add files and stop it. */
export class BundleServer {
  private readonly files = new Map<string, string>();
  private readonly pages = new Map<string, string>();

  private constructor(private readonly server: Server, readonly origin: string) {
    server.on('request', (req, res) => {
      const url = (req.url ?? '/').split('?')[0];
      const page = this.pages.get(url);
      const file = this.files.get(url);
      if (req.method !== 'GET' || (page === undefined && file === undefined)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`convcheck bundle server: ${req.method} ${url} is not served`);
        return;
      }
      if (page !== undefined) {
        res.writeHead(200, { 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-store' });
        res.end(page);
        return;
      }
      res.writeHead(200, { 'content-type': contentType(url), 'cache-control': 'no-store' });
      createReadStream(file as string).on('error', () => res.destroy()).pipe(res);
    });
  }

  /** Starts a server on 127.0.0.1 and a free port. */
  static async start(): Promise<BundleServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref(); // never what keeps the process alive
    const { port } = server.address() as AddressInfo;
    return new BundleServer(server, `http://127.0.0.1:${port}`);
  }

  /** Serves `file` (an absolute path, which must exist) at URL path `urlPath`. */
  addFile(urlPath: string, file: string): void {
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
    } catch (error) {
      throw new Error(`bundle server: ${file} (for ${urlPath}) is missing: ${error instanceof Error ? error.message : String(error)}; reinstall the packages with npm ci.`, { cause: error });
    }
    this.files.set(urlPath, file);
  }

  /** Serves the generated page of `spec` at `/<name>.html`; returns its URL. */
  addPage(spec: PageSpec): string {
    const urlPath = `/${spec.name}.html`;
    this.pages.set(urlPath, pageHtml(spec));
    return `${this.origin}${urlPath}`;
  }

  /** Stops the server (open connections are dropped). */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
