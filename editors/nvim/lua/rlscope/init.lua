-- rlscope for Neovim: starts `rlscope lsp` for TypeScript, JavaScript and SQL buffers.
--
--   require('rlscope').setup({})          -- the project's node_modules/.bin/rlscope, else `rlscope` from PATH
--   require('rlscope').setup({ cmd = { '/path/to/rlscope', 'lsp' } })
--
-- Neovim 0.11+: registered with vim.lsp.config / vim.lsp.enable. Neovim 0.8-0.10: vim.lsp.start from a FileType
-- autocommand. Adds :RlscopeExplain [rule].
local M = {}

M.defaults = {
  -- The server command. Anything that ends in `lsp` (or `lsp --stdio`) works. nil: the project's own copy
  -- (`node_modules/.bin/rlscope` in the project root or a folder above it, from `npm install -D rlscope`) when
  -- `node_modules` is true, else `rlscope` from PATH.
  cmd = nil,
  -- Run the project's node_modules/.bin/rlscope when there is one (only when `cmd` is not set).
  node_modules = true,
  filetypes = {
    'typescript',
    'typescriptreact',
    'typescript.tsx',
    'javascript',
    'javascriptreact',
    'javascript.jsx',
    'sql',
  },
  -- Tried in order; within a group the nearest folder holding any of the names wins.
  root_markers = {
    { 'supabase' },
    { 'package.json', 'tsconfig.json', 'jsconfig.json', 'deno.json' },
    { '.git' },
  },
  -- Sent to the server through workspace/configuration (section `rlscope`).
  settings = {
    rlscope = {
      rules = vim.empty_dict(), -- e.g. { ['session-method-on-service-client'] = 'warn' }
      inlayHints = { enable = false },
    },
  },
  -- On 0.11+ the server is registered with vim.lsp.config/vim.lsp.enable; false uses the 0.8-0.10 way
  -- (vim.lsp.start from a FileType autocommand) there too.
  native_config = true,
  capabilities = nil, -- e.g. require('cmp_nvim_lsp').default_capabilities()
  -- Let the server watch files on disk (`.env*`, tsconfig, package.json, rlscope.toml, sources not open), so
  -- an edit made outside Neovim re-checks open buffers. Neovim does this by itself on macOS and Windows; on
  -- Linux it does not offer it by default (its watchers are slow on big trees), so this turns it on for
  -- rlscope's client only, on 0.10+. Recommended with `inotifywait` installed (inotify-tools), which Neovim
  -- then uses. `:checkhealth rlscope` says which applies.
  watch_files = false,
  on_attach = nil, -- function(client, bufnr)
}

M.config = nil


local function has(version)
  return vim.fn.has('nvim-' .. version) == 1
end

--- The project root for a file: the nearest folder with a `supabase/` folder, else with a package.json /
--- tsconfig.json, else with .git; else the file's own folder.
function M.find_root(fname, markers)
  markers = markers or (M.config or M.defaults).root_markers
  if fname == nil or fname == '' then
    return nil
  end
  local dir = vim.fs.dirname(fname)
  for _, group in ipairs(markers) do
    if type(group) == 'string' then
      group = { group }
    end
    local found = vim.fs.find(group, { upward = true, path = dir, limit = 1 })[1]
    if found then
      return vim.fs.dirname(found)
    end
  end
  return dir
end

--- The client capabilities to send: the user's, plus dynamic file watching when `watch_files` asks for it.
function M.capabilities(opts)
  local caps = opts.capabilities
  if opts.watch_files and has('0.10') then
    caps = vim.tbl_deep_extend('force', caps or vim.lsp.protocol.make_client_capabilities(), {
      workspace = { didChangeWatchedFiles = { dynamicRegistration = true } },
    })
  end
  return caps
end

--- The command for a project root: `cmd` when set, else the nearest `node_modules/.bin/rlscope` at or above
--- `root` (with `node_modules = true`), else `rlscope` from PATH.
function M.resolve_cmd(root, opts)
  opts = opts or M.config or M.defaults
  if opts.cmd then
    return vim.deepcopy(opts.cmd)
  end
  if opts.node_modules and root and root ~= '' then
    local dirs = { root }
    for dir in vim.fs.parents(root) do
      table.insert(dirs, dir)
    end
    for _, dir in ipairs(dirs) do
      local bin = dir .. '/node_modules/.bin/rlscope'
      if vim.fn.executable(bin) == 1 then
        return { bin, 'lsp' }
      end
    end
  end
  return { 'rlscope', 'lsp' }
end

--- The command the client for `root` runs, by root (what :checkhealth rlscope shows).
M.commands = {}

local function lsp_config(opts)
  local cmd = opts.cmd
  if not cmd then
    -- Neovim 0.11+ passes the resolved config (with root_dir) to a cmd function.
    cmd = function(dispatchers, config)
      local root = config and config.root_dir
      local c = M.resolve_cmd(root, opts)
      M.commands[root or ''] = c
      return vim.lsp.rpc.start(c, dispatchers, { cwd = config and config.cmd_cwd, env = config and config.cmd_env })
    end
  end
  return {
    name = 'rlscope',
    cmd = cmd,
    filetypes = opts.filetypes,
    settings = opts.settings,
    capabilities = M.capabilities(opts),
    on_attach = opts.on_attach,
  }
end

local function start_for_buffer(opts, bufnr)
  local fname = vim.api.nvim_buf_get_name(bufnr)
  if fname == '' or vim.bo[bufnr].buftype ~= '' then
    return
  end
  local config = lsp_config(opts)
  config.filetypes = nil
  config.root_dir = M.find_root(fname, opts.root_markers)
  config.cmd = M.resolve_cmd(config.root_dir, opts)
  M.commands[config.root_dir or ''] = config.cmd
  -- vim.lsp.start reuses a running client with the same name and root_dir.
  vim.lsp.start(config, { bufnr = bufnr })
end

--- The rlscope command with its trailing `lsp`/`--stdio` arguments replaced by `args`.
local function cli(args)
  local cmd = M.resolve_cmd(M.find_root(vim.api.nvim_buf_get_name(0)))
  while #cmd > 1 and (cmd[#cmd] == 'lsp' or cmd[#cmd] == '--stdio') do
    table.remove(cmd)
  end
  vim.list_extend(cmd, args)
  return cmd
end

--- Rule ids of rlscope diagnostics under the cursor.
local function rules_at_cursor()
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  row = row - 1
  local ids, seen = {}, {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    local end_lnum = d.end_lnum or d.lnum
    local end_col = d.end_col or d.col
    local inside = (row > d.lnum or (row == d.lnum and col >= d.col))
      and (row < end_lnum or (row == end_lnum and col <= end_col))
    if d.source == 'rlscope' and d.code and inside and not seen[d.code] then
      seen[d.code] = true
      table.insert(ids, tostring(d.code))
    end
  end
  return ids
end

local function show_explanation(rule)
  local cmd = cli({ 'explain', rule })
  local lines = vim.fn.systemlist(cmd)
  if vim.v.shell_error ~= 0 then
    vim.notify('rlscope explain ' .. rule .. ': ' .. table.concat(lines, '\n'), vim.log.levels.ERROR)
    return
  end
  vim.cmd('botright new')
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'markdown'
  pcall(vim.api.nvim_buf_set_name, buf, 'rlscope://explain/' .. rule)
end

--- :RlscopeExplain [rule]: the rule's documentation (`rlscope explain`) in a scratch window. Without an argument,
--- the rule of the rlscope diagnostic under the cursor.
function M.explain(rule)
  if rule and rule ~= '' then
    return show_explanation(rule)
  end
  local ids = rules_at_cursor()
  if #ids == 1 then
    return show_explanation(ids[1])
  elseif #ids > 1 then
    vim.ui.select(ids, { prompt = 'Rule to explain' }, function(choice)
      if choice then
        show_explanation(choice)
      end
    end)
  else
    vim.notify('rlscope: no rlscope diagnostic under the cursor; try :RlscopeExplain <rule>', vim.log.levels.WARN)
  end
end

function M.setup(user)
  local opts = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), user or {})
  if user and user.root_markers then
    opts.root_markers = user.root_markers -- lists replace, not merge
  end
  if user and user.filetypes then
    opts.filetypes = user.filetypes
  end
  if type(opts.cmd) == 'string' then
    opts.cmd = { opts.cmd, 'lsp' }
  end
  M.config = opts

  vim.api.nvim_create_user_command('RlscopeExplain', function(a)
    M.explain(a.args)
  end, {
    nargs = '?',
    desc = 'rlscope: show the documentation of a rule (default: the one under the cursor)',
    complete = function()
      local ids = {}
      for _, line in ipairs(vim.fn.systemlist(cli({ 'rules' }))) do
        local id = line:match('^(%S+)')
        if id then
          table.insert(ids, id)
        end
      end
      return ids
    end,
  })

  if opts.native_config and has('0.11') and vim.lsp.config and vim.lsp.enable then
    local config = lsp_config(opts)
    config.name = nil
    config.root_dir = function(bufnr, on_dir)
      local root = M.find_root(vim.api.nvim_buf_get_name(bufnr), opts.root_markers)
      if root then
        on_dir(root)
      end
    end
    vim.lsp.config('rlscope', config)
    vim.lsp.enable('rlscope')
    return
  end

  if not has('0.8') then
    vim.notify('rlscope: Neovim 0.8 or newer is needed', vim.log.levels.ERROR)
    return
  end
  local group = vim.api.nvim_create_augroup('rlscope', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      start_for_buffer(opts, args.buf)
    end,
  })
  -- Buffers opened before setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(opts.filetypes, vim.bo[bufnr].filetype) then
      start_for_buffer(opts, bufnr)
    end
  end
end

return M
