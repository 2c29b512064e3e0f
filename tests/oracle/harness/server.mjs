// A local fake Supabase on 127.0.0.1: auth endpoints hand out a session whose access token is a user JWT; PostgREST,
// storage, functions and the auth admin API record the role of each request's Authorization header.
import http from 'node:http'
import { USER_ID, userToken, wireRole } from './keys.mjs'

const user = () => ({
  id: USER_ID,
  aud: 'authenticated',
  role: 'authenticated',
  email: 'user@example.test',
  app_metadata: { provider: 'email' },
  user_metadata: {},
  identities: [],
  created_at: '2024-01-01T00:00:00Z',
  updated_at: '2024-01-01T00:00:00Z',
})

export function session() {
  const now = Math.floor(Date.now() / 1000)
  return {
    access_token: userToken(),
    token_type: 'bearer',
    expires_in: 86400 * 365,
    expires_at: now + 86400 * 365,
    refresh_token: 'fake-refresh-token',
    user: user(),
  }
}

/** Which part of the API a path belongs to; `null` for auth (non-admin) and anything else not recorded. */
function surface(path) {
  if (path.startsWith('/rest/v1/')) return 'rest'
  if (path.startsWith('/storage/v1/')) return 'storage'
  if (path.startsWith('/functions/v1/')) return 'functions'
  if (path.startsWith('/auth/v1/admin/')) return 'admin'
  return null
}

export function startServer() {
  const records = []
  let current = {}
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c) => {
      if (body.length < 4096) body += c
    })
    req.on('end', () => {
      const url = new URL(req.url, 'http://127.0.0.1')
      const path = decodeURIComponent(url.pathname)
      const json = (status, value, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(value === undefined ? '' : JSON.stringify(value))
      }
      const s = surface(path)
      if (s) {
        const role = wireRole(req.headers)
        // PostgREST's schema: Accept-Profile on reads, Content-Profile on writes (none: the first exposed schema)
        const profile = req.headers['accept-profile'] ?? req.headers['content-profile'] ?? null
        records.push({ ...current, surface: s, method: req.method, path, search: url.search, body, role, profile, client: req.headers['x-client-info'] ?? '' })
        if (s === 'admin') {
          if (role !== 'service_role') return json(403, { code: 403, error_code: 'not_admin', msg: 'User not allowed' })
          if (path === '/auth/v1/admin/users' && req.method === 'GET') return json(200, { users: [], aud: 'authenticated' }, { 'x-total-count': '0' })
          if (path.startsWith('/auth/v1/admin/generate_link')) return json(200, { ...user(), action_link: 'http://127.0.0.1/x', email_otp: '1', hashed_token: 'h', verification_type: 'signup', redirect_to: '' })
          return json(200, user())
        }
        if (s === 'rest') {
          if (req.method === 'HEAD') return json(200, undefined, { 'content-range': '0-0/0' })
          return json(200, path.startsWith('/rest/v1/rpc/') ? null : [], { 'content-range': '0-0/0' })
        }
        if (s === 'functions') return json(200, { ok: true })
        // storage
        if (path.startsWith('/storage/v1/object/list/')) return json(200, [])
        if (path.startsWith('/storage/v1/object/sign/')) return json(200, { signedURL: '/object/sign/x?token=t' })
        if (path.startsWith('/storage/v1/bucket')) return json(200, req.method === 'GET' ? [] : { name: 'b' })
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'application/octet-stream' })
          return res.end('data')
        }
        if (req.method === 'DELETE') return json(200, [])
        return json(200, { Key: path.slice('/storage/v1/object/'.length), Id: 'id-1', id: 'id-1', path: 'p', fullPath: 'p' })
      }
      // auth (not admin)
      if (path === '/auth/v1/token' || path === '/auth/v1/verify' || path === '/auth/v1/signup') return json(200, session())
      if (path === '/auth/v1/user') return json(200, user())
      if (path === '/auth/v1/logout') return json(204)
      if (path === '/auth/v1/otp' || path === '/auth/v1/recover' || path === '/auth/v1/resend') return json(200, {})
      if (path.startsWith('/auth/v1/')) return json(200, {})
      return json(404, { message: 'not found' })
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      resolve({
        url: `http://127.0.0.1:${port}`,
        records,
        setCurrent: (c) => {
          current = c
        },
        close: () => new Promise((r) => server.close(r)),
      })
    })
  })
}
