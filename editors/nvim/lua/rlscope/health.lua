-- :checkhealth rlscope
local M = {}

function M.check()
  local h = vim.health
  local start = h.start or h.report_start
  local ok = h.ok or h.report_ok
  local warn = h.warn or h.report_warn
  local err = h.error or h.report_error

  start('rlscope')
  if vim.fn.has('nvim-0.8') == 0 then
    err('Neovim 0.8 or newer is needed')
    return
  end
  local mode = (vim.fn.has('nvim-0.11') == 1) and 'vim.lsp.config / vim.lsp.enable' or 'vim.lsp.start from a FileType autocommand'
  local rlscope = require('rlscope')
  if not rlscope.config then
    warn("require('rlscope').setup({}) has not been called")
    return
  end
  if rlscope.config.native_config == false then
    mode = 'vim.lsp.start from a FileType autocommand (native_config = false)'
  end
  ok('Neovim ' .. tostring(vim.version()) .. ': ' .. mode)

  local cmd = rlscope.resolve_cmd(rlscope.find_root(vim.api.nvim_buf_get_name(0)))
  local exe = cmd[1]
  if vim.fn.executable(exe) ~= 1 then
    err(exe .. ' is not executable', { "Install rlscope, or setup({ cmd = { '/path/to/rlscope', 'lsp' } })" })
    return
  end
  local out = vim.fn.systemlist({ exe, '--version' })
  if vim.v.shell_error ~= 0 or not (out[1] or ''):match('^rlscope ') then
    err(exe .. ' --version did not answer "rlscope <version>": ' .. table.concat(out, ' '))
    return
  end
  local origin = rlscope.config.cmd and 'the cmd option'
    or (exe:find('/node_modules/.bin/rlscope', 1, true) and "the project's node_modules")
    or 'PATH'
  ok(out[1] .. ' at ' .. vim.fn.exepath(exe) .. ' (cmd: ' .. table.concat(cmd, ' ') .. ', from ' .. origin .. ')')

  local sys = (vim.uv or vim.loop).os_uname().sysname
  local native_watch = sys == 'Darwin' or sys == 'Windows_NT'
  if native_watch then
    ok('files changed on disk are watched (Neovim does it on ' .. sys .. ')')
  elseif rlscope.config.watch_files and vim.fn.has('nvim-0.10') == 1 then
    if vim.fn.executable('inotifywait') == 1 then
      ok('files changed on disk are watched (watch_files = true, with inotifywait)')
    else
      warn('watch_files = true without inotifywait: Neovim polls folders, which is slow on big projects', {
        'Install inotify-tools',
      })
    end
  else
    warn('files changed outside Neovim (.env, tsconfig, package.json, sources not open) are not seen until reopened', {
      "setup({ watch_files = true }) on Neovim 0.10+, ideally with inotify-tools installed",
    })
  end

  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ name = 'rlscope' })
  if #clients == 0 then
    ok('no rlscope client running (one starts with the first TypeScript, JavaScript or SQL buffer)')
  end
  for _, c in ipairs(clients) do
    local root = c.root_dir or c.config.root_dir
    local ran = rlscope.commands[root or '']
    ok(string.format('client %d running, root %s%s', c.id, root or '?', ran and (', cmd: ' .. table.concat(ran, ' ')) or ''))
  end
end

return M
