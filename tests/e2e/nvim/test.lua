-- Headless Neovim end-to-end test of editors/nvim against the real `rlscope lsp`.
-- Run by tests/e2e/nvim/run.sh: nvim --headless --clean -c "luafile test.lua"
-- Env: RLSCOPE_BIN (the server binary), RLSCOPE_WS (a copy of examples/nextjs-supabase), RLSCOPE_PLUGIN
-- (editors/nvim), RLSCOPE_PIDFILE (where to write the server's pid, so the runner can check that it exits).
local bin = assert(os.getenv('RLSCOPE_BIN'), 'RLSCOPE_BIN')
local ws = assert(os.getenv('RLSCOPE_WS'), 'RLSCOPE_WS')
local plugin = assert(os.getenv('RLSCOPE_PLUGIN'), 'RLSCOPE_PLUGIN')
local pidfile = os.getenv('RLSCOPE_PIDFILE')
local RULE = 'session-method-on-service-client'
local checks = 0

local function say(msg)
  io.stdout:write(msg .. '\n')
  io.stdout:flush()
end

local function ok(msg)
  checks = checks + 1
  say('ok ' .. checks .. ' - ' .. msg)
end

local function check(cond, msg, detail)
  if not cond then
    error(msg .. (detail and (': ' .. vim.inspect(detail)) or ''), 0)
  end
  ok(msg)
end

--- 0-based (line, byte column) of the first occurrence of `needle` in the buffer.
local function find(bufnr, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local s = line:find(needle, 1, true)
    if s then
      return i - 1, s - 1
    end
  end
  error('text not found in ' .. vim.api.nvim_buf_get_name(bufnr) .. ': ' .. needle, 0)
end

local function buf_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
end

local function rlscope_diags(bufnr, code)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'rlscope' and (code == nil or d.code == code) then
      table.insert(out, d)
    end
  end
  return out
end

local function covers(d, line, col)
  local end_lnum = d.end_lnum or d.lnum
  local end_col = d.end_col or d.col
  return (line > d.lnum or (line == d.lnum and col >= d.col)) and (line < end_lnum or (line == end_lnum and col < end_col))
end

local function summary(bufnr)
  local s = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(s, string.format('%d:%d-%d:%d %s %s', d.lnum, d.col, d.end_lnum or -1, d.end_col or -1, tostring(d.code), d.message))
  end
  return s
end

local function server_pid()
  -- The server is a child of this nvim process.
  local me = vim.fn.getpid()
  local f = io.open(string.format('/proc/%d/task/%d/children', me, me))
  if not f then
    return nil
  end
  local children = f:read('*a')
  f:close()
  for pid in children:gmatch('%d+') do
    local c = io.open('/proc/' .. pid .. '/cmdline')
    if c then
      local cmdline = c:read('*a')
      c:close()
      if cmdline:find('rlscope', 1, true) then
        return pid
      end
    end
  end
end

local function open(rel)
  vim.cmd.edit(vim.fn.fnameescape(ws .. '/' .. rel))
  local bufnr = vim.api.nvim_get_current_buf()
  local attached = vim.wait(20000, function()
    return #vim.lsp.get_clients({ bufnr = bufnr, name = 'rlscope' }) > 0
  end, 50)
  check(attached, rel .. ': rlscope attached (filetype ' .. vim.bo[bufnr].filetype .. ')')
  return bufnr, vim.lsp.get_clients({ bufnr = bufnr, name = 'rlscope' })[1]
end

local function main()
  say('nvim ' .. tostring(vim.version()))
  vim.opt.runtimepath:prepend(plugin)
  local legacy = os.getenv('RLSCOPE_NVIM_LEGACY') == '1'
  say(legacy and 'setup: vim.lsp.start from a FileType autocommand (the 0.8-0.10 way)' or 'setup: vim.lsp.config + vim.lsp.enable')
  -- the native variant also turns on file watching (with inotifywait when installed)
  local watch = not legacy
  -- RLSCOPE_NVIM_AUTO=1: no `cmd`, the plugin finds the server itself (the project's node_modules/.bin/rlscope, then
  -- PATH); RLSCOPE_EXPECT_CMD is then the program it must start.
  local auto = os.getenv('RLSCOPE_NVIM_AUTO') == '1'
  local expect = os.getenv('RLSCOPE_EXPECT_CMD')
  local opts = auto and {} or { cmd = { bin, 'lsp' } }
  if legacy then
    opts.native_config = false
  else
    opts.watch_files = true
  end
  require('rlscope').setup(opts)
  check(vim.fn.exists(':RlscopeExplain') == 2, ':RlscopeExplain is defined')

  -- 1. app/api/login/route.ts: supabaseAdmin comes from '@/lib/supabase/admin' (a tsconfig path alias), so the
  --    finding is only visible through the import.
  local login, client = open('app/api/login/route.ts')
  local real_ws = vim.uv.fs_realpath(ws)
  check(vim.uv.fs_realpath(client.root_dir or client.config.root_dir) == real_ws, 'root_dir is the project folder', client.root_dir)
  if expect and expect ~= '' then
    local ran = require('rlscope').commands[client.root_dir or client.config.root_dir]
    check(ran ~= nil and ran[1] == expect, 'the plugin started ' .. expect, { ran = ran, commands = require('rlscope').commands })
  end
  if pidfile then
    local pid = server_pid()
    if pid then
      local f = assert(io.open(pidfile, 'w'))
      f:write(pid)
      f:close()
    end
  end
  local line, col = find(login, 'signInWithPassword')
  local got = vim.wait(30000, function()
    return #rlscope_diags(login, RULE) > 0
  end, 50)
  check(got, 'login/route.ts: ' .. RULE .. ' published', summary(login))
  local d = rlscope_diags(login, RULE)[1]
  check(d.severity == vim.diagnostic.severity.ERROR, 'login/route.ts: severity is error', d.severity)
  check(covers(d, line, col), string.format('login/route.ts: the diagnostic covers signInWithPassword at %d:%d', line, col), summary(login))
  check(type(d.message) == 'string' and d.message ~= '', 'login/route.ts: the diagnostic has a message: ' .. d.message)

  -- 2. :RlscopeExplain with the cursor on the finding shows the rule's docs.
  vim.api.nvim_win_set_cursor(0, { line + 1, col })
  vim.cmd('RlscopeExplain')
  local explain_buf = vim.api.nvim_get_current_buf()
  check(explain_buf ~= login and buf_text(explain_buf):find(RULE, 1, true) ~= nil, ':RlscopeExplain shows the rule under the cursor', vim.api.nvim_buf_get_lines(explain_buf, 0, 5, false))
  vim.cmd('close')

  -- :checkhealth rlscope finds the binary and the running client.
  vim.cmd('silent checkhealth rlscope')
  local health = buf_text(vim.api.nvim_get_current_buf())
  check(health:find('rlscope %d') ~= nil and health:find('client %d+ running') ~= nil, ':checkhealth rlscope reports the binary and the client', health)
  vim.cmd('bwipeout!')
  vim.cmd.buffer(login)

  -- 3. app/api/signup/route.ts: signUp on the service client is a warning whose fix is auth.admin.createUser;
  --    apply it as a user would (code action), then the text changes and the diagnostic goes away.
  local signup = open('app/api/signup/route.ts')
  local sline, scol = find(signup, 'auth.signUp(')
  got = vim.wait(30000, function()
    for _, x in ipairs(rlscope_diags(signup, RULE)) do
      if covers(x, sline, scol + #'auth.') then
        return true
      end
    end
    return false
  end, 50)
  check(got, 'signup/route.ts: ' .. RULE .. ' on auth.signUp', summary(signup))
  local sd = rlscope_diags(signup, RULE)[1]
  check(sd.severity == vim.diagnostic.severity.WARN, 'signup/route.ts: severity is warning', sd.severity)

  vim.api.nvim_win_set_cursor(0, { sline + 1, scol + #'auth.' })
  local titles = {}
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      table.insert(titles, action.title)
      return action.title:find('createUser', 1, true) ~= nil
    end,
  })
  local changed = vim.wait(10000, function()
    return buf_text(signup):find('auth.admin.createUser(', 1, true) ~= nil
  end, 50)
  check(changed, 'the code action replaced signUp with auth.admin.createUser', titles)
  check(buf_text(signup):find('auth.signUp(', 1, true) == nil, 'auth.signUp( is gone from the buffer', buf_text(signup))
  local cleared = vim.wait(15000, function()
    return #rlscope_diags(signup, RULE) == 0
  end, 50)
  check(cleared, 'signup/route.ts: the diagnostic is gone after the fix', summary(signup))

  -- 4. app/notes/actions.ts: the hover on a request's table string says what RLS does to it, per role, from the
  --    project's migrations (only the outcome part is matched; the role sentence before it may change).
  local notes = open('app/notes/actions.ts')
  local nline, ncol = find(notes, "'notes').insert")
  local want = {
    'as **authenticated**: INSERT: allowed by "Owners add notes"',
    '`.select()` after it: allowed by "Owners read notes"',
  }
  local hover_md = ''
  local shown = vim.wait(20000, function()
    local res = vim.lsp.buf_request_sync(notes, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(notes) },
      position = { line = nline, character = ncol + 2 },
    }, 5000)
    for _, r in pairs(res or {}) do
      local c = r.result and r.result.contents
      if type(c) == 'table' and type(c.value) == 'string' then
        hover_md = c.value
      end
    end
    for _, w in ipairs(want) do
      if not hover_md:find(w, 1, true) then
        return false
      end
    end
    return true
  end, 200)
  check(shown, 'actions.ts: the hover on the insert shows its RLS outcome per role', hover_md)
  vim.cmd.buffer(login)

  -- 5. watch_files: lib/supabase/admin.ts is changed on disk (not open): the service key becomes the anon key, and
  --    the open login route's finding goes away without touching its buffer.
  if watch then
    local admin_path = ws .. '/lib/supabase/admin.ts'
    local f = assert(io.open(admin_path, 'r'))
    local admin = f:read('*a')
    f:close()
    check(admin:find('SUPABASE_SERVICE_ROLE_KEY', 1, true) ~= nil, 'lib/supabase/admin.ts uses the service key')
    -- the server registers its watchers when it starts; give the registration a moment to land
    local registered = vim.wait(10000, function()
      local c = vim.lsp.get_clients({ name = 'rlscope' })[1]
      return c ~= nil and c.dynamic_capabilities ~= nil
        and c.dynamic_capabilities:get('workspace/didChangeWatchedFiles') ~= nil
    end, 50)
    check(registered, 'the server registered its file watchers')
    vim.wait(500)
    f = assert(io.open(admin_path, 'w'))
    f:write((admin:gsub('SUPABASE_SERVICE_ROLE_KEY', 'NEXT_PUBLIC_SUPABASE_ANON_KEY')))
    f:close()
    local gone = vim.wait(15000, function()
      return #rlscope_diags(login, RULE) == 0
    end, 50)
    check(gone, 'login/route.ts: the finding is gone after admin.ts changed on disk ('
      .. (vim.fn.executable('inotifywait') == 1 and 'inotifywait' or 'polling') .. ')', summary(login))
  end
end

local okay, err = xpcall(main, debug.traceback)
if okay then
  say(string.format('nvim e2e: %d checks passed', checks))
  vim.cmd('qall!')
else
  say('FAIL: ' .. tostring(err))
  say('rlscope log: ' .. vim.lsp.get_log_path())
  vim.cmd('cquit 1')
end
