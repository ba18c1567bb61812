-- The demo discussion under "Can communities of practice learn online?".
-- Idempotent: each row is inserted only if it is not there yet, so `cargo xtask dev` applies
-- it on every start. Parents are found by (thread, author, time) rather than fixed ids, so
-- the seed never collides with comments posted locally. Rows are in time order, so every
-- parent exists before its reply; root_id is the top-level comment of each reply.
-- body_html is what colloquy-core's renderer produces for
-- the Markdown beside it (the e2e suite checks that the demo thread renders).

INSERT OR IGNORE INTO threads (site_id, key, title, url, created_at)
VALUES ('default', '/blog/communities-of-practice/', 'Can communities of practice learn online?',
        'https://slow-classroom.example/blog/communities-of-practice/', 1794996000000);

INSERT INTO comments (thread_id, parent_id, root_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at)
SELECT t.id, NULL, NULL, 'approved', 'Tomaž Horvat', 'tomaz@example.net', NULL,
  'The "first post gets a reply within a day" custom is the single best thing we copied into our teachers'' forum. Retention of new members roughly doubled.',
  '<p>The "first post gets a reply within a day" custom is the single best thing we copied into our teachers'' forum. Retention of new members roughly doubled.</p>' || char(10), 1795011600000
FROM threads t WHERE t.site_id = 'default' AND t.key = '/blog/communities-of-practice/'
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND c.author_name = 'Tomaž Horvat' AND c.created_at = 1795011600000);

INSERT INTO comments (thread_id, parent_id, root_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at)
SELECT t.id, (SELECT p.id FROM comments p WHERE p.thread_id = t.id AND p.author_name = 'Tomaž Horvat' AND p.created_at = 1795011600000), (SELECT COALESCE(p.root_id, p.id) FROM comments p WHERE p.thread_id = t.id AND p.author_name = 'Tomaž Horvat' AND p.created_at = 1795011600000), 'approved', 'Mira Kos', 'mira@example.org', 'https://slow-classroom.example/',
  'That''s a great result. Did you assign people to do it, or did it happen on its own?',
  '<p>That''s a great result. Did you assign people to do it, or did it happen on its own?</p>' || char(10), 1795015200000
FROM threads t WHERE t.site_id = 'default' AND t.key = '/blog/communities-of-practice/'
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND c.author_name = 'Mira Kos' AND c.created_at = 1795015200000);

INSERT INTO comments (thread_id, parent_id, root_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at)
SELECT t.id, (SELECT p.id FROM comments p WHERE p.thread_id = t.id AND p.author_name = 'Mira Kos' AND p.created_at = 1795015200000), (SELECT COALESCE(p.root_id, p.id) FROM comments p WHERE p.thread_id = t.id AND p.author_name = 'Mira Kos' AND p.created_at = 1795015200000), 'approved', 'Tomaž Horvat', 'tomaz@example.net', NULL,
  'Assigned at first: a rota of five volunteers. After a few months nobody needed the rota any more.',
  '<p>Assigned at first: a rota of five volunteers. After a few months nobody needed the rota any more.</p>' || char(10), 1795018800000
FROM threads t WHERE t.site_id = 'default' AND t.key = '/blog/communities-of-practice/'
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND c.author_name = 'Tomaž Horvat' AND c.created_at = 1795018800000);

INSERT INTO comments (thread_id, parent_id, root_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at)
SELECT t.id, NULL, NULL, 'approved', 'Ana Novak', 'ana@example.com', 'https://ana.example.com/notes',
  'I''m less sure about tacit knowledge *never* travelling. Screen recordings of a translator thinking aloud taught me more than any style guide.',
  '<p>I''m less sure about tacit knowledge <em>never</em> travelling. Screen recordings of a translator thinking aloud taught me more than any style guide.</p>' || char(10), 1795083000000
FROM threads t WHERE t.site_id = 'default' AND t.key = '/blog/communities-of-practice/'
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND c.author_name = 'Ana Novak' AND c.created_at = 1795083000000);

INSERT INTO comments (thread_id, parent_id, root_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at)
SELECT t.id, (SELECT p.id FROM comments p WHERE p.thread_id = t.id AND p.author_name = 'Ana Novak' AND p.created_at = 1795083000000), (SELECT COALESCE(p.root_id, p.id) FROM comments p WHERE p.thread_id = t.id AND p.author_name = 'Ana Novak' AND p.created_at = 1795083000000), 'approved', 'Jonas Weber', 'jonas@example.de', NULL,
  'Agreed. Recorded practice is the closest thing we have to the shoulder to look over.',
  '<p>Agreed. Recorded practice is the closest thing we have to the shoulder to look over.</p>' || char(10), 1795086600000
FROM threads t WHERE t.site_id = 'default' AND t.key = '/blog/communities-of-practice/'
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND c.author_name = 'Jonas Weber' AND c.created_at = 1795086600000);

INSERT INTO comments (thread_id, parent_id, root_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at)
SELECT t.id, NULL, NULL, 'approved', 'Lea Kranjc', 'lea@example.si', NULL,
  'The lurkers point hits home. Most of our members never post, yet they show up at every workshop. They *are* learning; we just can''t see it.',
  '<p>The lurkers point hits home. Most of our members never post, yet they show up at every workshop. They <em>are</em> learning; we just can''t see it.</p>' || char(10), 1795176000000
FROM threads t WHERE t.site_id = 'default' AND t.key = '/blog/communities-of-practice/'
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND c.author_name = 'Lea Kranjc' AND c.created_at = 1795176000000);
