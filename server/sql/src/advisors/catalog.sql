-- The advisors' verdicts computed from a live catalog, modelled on supabase/splinter's lints with the
-- exposed schemas fixed to `public`. One row per flagged object: A|<lint>|<object>|
-- Used by the real-PostgreSQL differential test (server/sql/tests/pg_differential.rs).
create temp table _excluded(s) as values ('_timescaledb_cache'), ('_timescaledb_catalog'), ('_timescaledb_config'),
  ('_timescaledb_internal'), ('auth'), ('cron'), ('extensions'), ('graphql'), ('graphql_public'), ('information_schema'),
  ('net'), ('pgmq'), ('pgroonga'), ('pgsodium'), ('pgsodium_masks'), ('pgtle'), ('pgbouncer'), ('pg_catalog'), ('realtime'),
  ('repack'), ('storage'), ('supabase_functions'), ('supabase_migrations'), ('tiger'), ('topology'), ('vault');
create temp view _pol as
  select n.nspname as s, c.relname as t, c.relrowsecurity as rls, c.relkind as kind, pa.polname as p,
         pa.polpermissive as permissive, pa.polroles as roles, pb.cmd, pb.qual, pb.with_check,
         replace(replace(replace(lower(coalesce(pb.qual, '')), ' ', ''), E'\n', ''), E'\t', '') as nq,
         replace(replace(replace(lower(coalesce(pb.with_check, '')), ' ', ''), E'\n', ''), E'\t', '') as nc
    from pg_policy pa join pg_class c on pa.polrelid = c.oid join pg_namespace n on c.relnamespace = n.oid
    join pg_policies pb on pb.schemaname = n.nspname and pb.tablename = c.relname and pb.policyname = pa.polname;
-- 0002
select distinct 'A', 'auth_users_exposed', n.nspname || '.' || c.relname, ''
  from pg_class au join pg_namespace aun on au.relnamespace = aun.oid and au.relname = 'users' and aun.nspname = 'auth'
  join pg_depend d on d.refobjid = au.oid join pg_rewrite r on r.oid = d.objid
  join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
 where d.deptype = 'n' and n.nspname = 'public'
   and (has_table_privilege('anon', c.oid, 'SELECT') or has_table_privilege('authenticated', c.oid, 'SELECT'))
   and (c.relkind = 'm'
        or (c.relkind = 'v' and not (lower(coalesce(c.reloptions::text, '{}'))::text[] && array['security_invoker=1', 'security_invoker=true', 'security_invoker=yes', 'security_invoker=on']))
        or (c.relkind = 'v' and (lower(coalesce(c.reloptions::text, '{}'))::text[] && array['security_invoker=1', 'security_invoker=true', 'security_invoker=yes', 'security_invoker=on']) and not au.relrowsecurity));
-- 0003
select distinct 'A', 'auth_rls_initplan', s || '.' || t || ' "' || p || '"', '' from _pol
 where rls and s not in (select s from _excluded where s <> 'realtime') and (
   (qual like '%auth.uid()%' and lower(qual) not like '%select auth.uid()%')
   or (qual like '%auth.jwt()%' and lower(qual) not like '%select auth.jwt()%')
   or (qual like '%auth.role()%' and lower(qual) not like '%select auth.role()%')
   or (qual like '%auth.email()%' and lower(qual) not like '%select auth.email()%')
   or (qual like '%current\_setting(%)%' and lower(qual) not like '%select current\_setting(%)%')
   or (with_check like '%auth.uid()%' and lower(with_check) not like '%select auth.uid()%')
   or (with_check like '%auth.jwt()%' and lower(with_check) not like '%select auth.jwt()%')
   or (with_check like '%auth.role()%' and lower(with_check) not like '%select auth.role()%')
   or (with_check like '%auth.email()%' and lower(with_check) not like '%select auth.email()%')
   or (with_check like '%current\_setting(%)%' and lower(with_check) not like '%select current\_setting(%)%'));
-- 0006
select distinct 'A', 'multiple_permissive_policies', n.nspname || '.' || c.relname, ''
  from pg_policy p join pg_class c on p.polrelid = c.oid join pg_namespace n on c.relnamespace = n.oid
  join pg_roles r on p.polroles @> array[r.oid] or p.polroles = array[0::oid],
  lateral unnest(case p.polcmd when 'r' then array['SELECT'] when 'a' then array['INSERT'] when 'w' then array['UPDATE']
                 when 'd' then array['DELETE'] else array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] end) act(cmd)
 where c.relkind = 'r' and p.polpermissive and n.nspname not in (select s from _excluded)
   and r.rolname not like 'pg_%' and r.rolname not like 'supabase%admin' and not r.rolbypassrls
 group by n.nspname, c.relname, r.rolname, act.cmd having count(1) > 1;
-- 0007
select distinct 'A', 'policy_exists_rls_disabled', n.nspname || '.' || c.relname, ''
  from pg_policy p join pg_class c on p.polrelid = c.oid join pg_namespace n on c.relnamespace = n.oid
 where c.relkind = 'r' and n.nspname not in (select s from _excluded) and not c.relrowsecurity;
-- 0008
select 'A', 'rls_enabled_no_policy', n.nspname || '.' || c.relname, ''
  from pg_class c join pg_namespace n on c.relnamespace = n.oid
 where c.relkind = 'r' and n.nspname not in (select s from _excluded) and c.relrowsecurity
   and not exists (select 1 from pg_policy p where p.polrelid = c.oid);
-- 0010
select 'A', 'security_definer_view', n.nspname || '.' || c.relname, ''
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind = 'v' and n.nspname = 'public'
   and (has_table_privilege('anon', c.oid, 'SELECT') or has_table_privilege('authenticated', c.oid, 'SELECT'))
   and not (lower(coalesce(c.reloptions::text, '{}'))::text[] && array['security_invoker=1', 'security_invoker=true', 'security_invoker=yes', 'security_invoker=on']);
-- 0011
select 'A', 'function_search_path_mutable', n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')', ''
  from pg_proc p join pg_namespace n on p.pronamespace = n.oid
 where n.nspname not in (select s from _excluded) and n.nspname not like 'pg\_%'
   and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) as config where config like 'search_path=%');
-- 0013
select 'A', 'rls_disabled_in_public', n.nspname || '.' || c.relname, ''
  from pg_class c join pg_namespace n on c.relnamespace = n.oid
 where c.relkind = 'r' and not c.relrowsecurity and n.nspname = 'public'
   and (has_table_privilege('anon', c.oid, 'SELECT') or has_table_privilege('authenticated', c.oid, 'SELECT'));
-- 0015
select distinct 'A', 'rls_references_user_metadata', s || '.' || t || ' "' || p || '"', '' from _pol
 where s not in (select s from _excluded) and (
   qual like '%auth.jwt()%user_metadata%' or qual like '%current_setting(%request.jwt.claims%)%user_metadata%'
   or with_check like '%auth.jwt()%user_metadata%' or with_check like '%current_setting(%request.jwt.claims%)%user_metadata%');
-- 0024
select 'A', 'rls_policy_always_true', s || '.' || t || ' "' || p || '"', '' from _pol
 where kind = 'r' and s not in (select s from _excluded) and rls and permissive
   and (roles = array[0::oid] or exists (select 1 from unnest(roles) as r where r::regrole::text in ('anon', 'authenticated')))
   and ((cmd in ('UPDATE', 'DELETE', 'ALL') and (nq in ('true', '(true)', '1=1', '(1=1)') or qual is null))
        or nc in ('true', '(true)', '1=1', '(1=1)')
        or (with_check is null and cmd = 'INSERT')
        or (with_check is null and cmd in ('UPDATE', 'ALL') and nq in ('true', '(true)', '1=1', '(1=1)')));
-- 0028 / 0029
select 'A', 'anon_security_definer_function_executable', n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')', ''
  from pg_proc p join pg_namespace n on p.pronamespace = n.oid
 where p.prosecdef and has_function_privilege('anon', p.oid, 'EXECUTE') and n.nspname = 'public';
select 'A', 'authenticated_security_definer_function_executable', n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')', ''
  from pg_proc p join pg_namespace n on p.pronamespace = n.oid
 where p.prosecdef and has_function_privilege('authenticated', p.oid, 'EXECUTE') and n.nspname = 'public';
drop view _pol;
drop table _excluded;
