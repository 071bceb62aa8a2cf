-- Every event carries the version of its contract (kernel/events.ts): a subscriber written for one
-- version of an event never receives another version silently. Events published before contracts
-- had versions are version 1.
alter table kernel.outbox add column version integer not null default 1 check (version >= 1);
