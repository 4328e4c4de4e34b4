// The MCP TypeScript SDK's client, unmodified, reaching a tool of an MCP
// server that keygate guards. It meets the 401, discovers the resource's
// metadata and keygate's, registers itself (by a client ID metadata
// document, by dynamic registration, or not at all for a client registered
// beforehand), and runs the authorization; the person's part (log-in,
// Grant Access) is played by the test, which gets the authorization URL on
// stdout and gives the code back on stdin.
//
//   node mcp_client.mjs SERVER_URL REDIRECT_URI MODE [ARG]
//
// MODE: preregistered CLIENT_ID | cimd METADATA_URL | dcr
// Prints one JSON line per step: {"authorize": URL}, then {"tools": [...],
// "result": ...} or {"error": ...}.
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from
    '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const [serverUrl, redirectUri, mode, arg] = process.argv.slice(2);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

class Provider {
  constructor() {
    this.info = mode === 'preregistered' ? { client_id: arg } : undefined;
    this.saved = undefined;
    this.verifier = undefined;
    if (mode === 'cimd')
      this.clientMetadataUrl = arg;
  }
  get redirectUrl() { return redirectUri; }
  get clientMetadata() {
    return { client_name: 'MCP test client', redirect_uris: [redirectUri],
             grant_types: ['authorization_code', 'refresh_token'],
             response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() { return this.info; }
  saveClientInformation(info) { this.info = info; say({ registered: info.client_id }); }
  tokens() { return this.saved; }
  saveTokens(t) { this.saved = t; }
  redirectToAuthorization(url) { say({ authorize: url.href }); }
  saveCodeVerifier(v) { this.verifier = v; }
  codeVerifier() { return this.verifier; }
}

async function connect(provider) {
  const client = new Client({ name: 'keygate-mcp-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(serverUrl),
                                                      { authProvider: provider });
  await client.connect(transport);
  return { client, transport };
}

const provider = new Provider();
try {
  try {
    await connect(provider);
    throw new Error('connected without authorization');
  } catch (e) {
    if (!(e instanceof UnauthorizedError))
      throw e;
  }
  const code = (await lines.next()).value.trim();
  const first = new StreamableHTTPClientTransport(new URL(serverUrl),
                                                  { authProvider: provider });
  await first.finishAuth(code);
  const { client } = await connect(provider);
  const tools = await client.listTools();
  const result = await client.callTool({ name: 'add',
                                         arguments: { a: 2, b: 3 } });
  say({ tools: tools.tools.map((t) => t.name), result,
        token: provider.saved.access_token, scope: provider.saved.scope });
  await client.close();
  process.exit(0);
} catch (e) {
  say({ error: String(e && e.stack || e) });
  process.exit(1);
}
