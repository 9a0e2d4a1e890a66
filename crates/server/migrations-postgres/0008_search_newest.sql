-- Search reads matches newest first and stops at a page of conversations: a word found in most
-- conversations is then read from this index's end instead of sorting every match.
CREATE INDEX search_text_newest ON search_text (id);
