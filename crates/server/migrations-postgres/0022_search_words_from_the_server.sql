-- The server computes the words it indexes and stores them with `array_to_tsvector`, and its
-- search queries read their words the same way (the server's `store/postgres/words.rs`):
-- `switchboard_words` — `unaccent`, a regular expression and `to_tsvector` — took 21 µs of the
-- database's CPU for a message of 110 characters. The server's rule is the same, with
-- PostgreSQL's own `unaccent` rules: rows indexed before hold the same words.
DROP FUNCTION switchboard_index_search();
DROP FUNCTION switchboard_words(TEXT);
