-- The name a person chooses to be shown by (top bar, member lists); optional, one line of text.
alter table identity.users add column display_name text
  check (display_name is null or (char_length(display_name) between 1 and 100 and display_name !~ '[[:cntrl:]]'));
