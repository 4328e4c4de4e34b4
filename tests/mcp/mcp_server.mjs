// A small MCP server built from the MCP TypeScript SDK's own classes
// (McpServer, Streamable HTTP, requireBearerAuth), guarded by keygate: each
// request's token is checked at keygate's /oauth2/check with
// X-Keygate-Resource naming this server (docs/REFERENCE.md §22.1), and its
// protected resource metadata (RFC 9728) is keygate's.
//
//   node mcp_server.mjs PORT KEYGATE_BASE
//
// Serves http://127.0.0.1:PORT/mcp; prints "listening" when ready.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from
    '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { requireBearerAuth } from
    '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { z } from 'zod';

const [port, keygate] = process.argv.slice(2);
const origin = `http://127.0.0.1:${port}`;
const resource = `${origin}/mcp`;
const metadataUrl = `${origin}/.well-known/oauth-protected-resource/mcp`;

// keygate decides; a token that passes is good now, so the SDK is told it
// expires in a minute (it asks again on the next request anyway).
const verifier = {
  async verifyAccessToken(token) {
    const r = await fetch(`${keygate}/oauth2/check`, {
      headers: { Authorization: `Bearer ${token}`,
                 'X-Keygate-Resource': resource },
    });
    if (r.status !== 200)
      throw new InvalidTokenError(`keygate answered ${r.status}`);
    return {
      token,
      clientId: r.headers.get('x-keygate-client'),
      scopes: (r.headers.get('x-keygate-scope') || '').split(' ')
          .filter(Boolean),
      expiresAt: Math.floor(Date.now() / 1000) + 60,
      resource: new URL(resource),
      extra: { subject: r.headers.get('x-keygate-subject') },
    };
  },
};

function mcpServer() {
  const server = new McpServer({ name: 'keygate-test-tools', version: '1.0.0' });
  server.registerTool('add', {
    description: 'Adds two numbers.',
    inputSchema: { a: z.number(), b: z.number() },
  }, async ({ a, b }, extra) => ({
    content: [{ type: 'text',
                text: `${a + b} for account ${extra.authInfo.extra.subject}` }],
  }));
  return server;
}

const app = createMcpExpressApp({ host: '127.0.0.1' });
app.get('/.well-known/oauth-protected-resource/mcp', async (req, res) => {
  const r = await fetch(`${keygate}/oauth2/resource-metadata?resource=` +
                        encodeURIComponent(resource));
  res.status(r.status).type('application/json').send(await r.text());
});
const auth = requireBearerAuth({ verifier, resourceMetadataUrl: metadataUrl,
                                 expectedResource: new URL(resource) });
// stateless: a server and a transport per request
app.post('/mcp', auth, async (req, res) => {
  const server = mcpServer();
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined });
  res.on('close', () => { transport.close(); server.close(); });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});
app.listen(Number(port), '127.0.0.1', () => console.log('listening'));
