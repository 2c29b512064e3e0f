-- Private notes: each signed-in user writes and reads their own.

create table public.notes (
  id bigint generated always as identity primary key,
  owner_id uuid not null references auth.users (id) on delete cascade,
  body text not null
);

alter table public.notes enable row level security;

-- Correct: insert and read back your own notes.
create policy "Owners add notes"
on public.notes for insert
to authenticated
with check ((select auth.uid()) = owner_id);

create policy "Owners read notes"
on public.notes for select
to authenticated
using ((select auth.uid()) = owner_id);
