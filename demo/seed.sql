-- The demo discussion under "Can communities of practice learn online?".
-- Idempotent: every row is inserted only if it is not there yet, so `cargo xtask dev` can
-- apply it on every start. Parents are found by (thread, author, time), not fixed ids, so
-- the seed never collides with comments posted locally.
-- Bodies are the HTML that colloquy-core's renderer produces for the Markdown beside it.

INSERT OR IGNORE INTO threads (site_id, key, title, url, created_at)
VALUES ('default', '/blog/communities-of-practice/', 'Can communities of practice learn online?',
        'https://slow-classroom.example/blog/communities-of-practice/', 1763460000000);

CREATE TEMP TABLE seed (author TEXT, email TEXT, url TEXT, md TEXT, html TEXT, at INTEGER, parent_author TEXT, parent_at INTEGER);
INSERT INTO seed VALUES
 ('Tomaž Horvat', 'tomaz@example.net', NULL,
  'The "first post gets a reply within a day" custom is the single best thing we copied into our teachers'' forum. Retention of new members roughly doubled.',
  '<p>The "first post gets a reply within a day" custom is the single best thing we copied into our teachers'' forum. Retention of new members roughly doubled.</p>' || char(10),
  1763475600000, NULL, NULL),
 ('Mira Kos', 'mira@example.org', 'https://slow-classroom.example/',
  'That''s a great result. Did you assign people to do it, or did it happen on its own?',
  '<p>That''s a great result. Did you assign people to do it, or did it happen on its own?</p>' || char(10),
  1763479200000, 'Tomaž Horvat', 1763475600000),
 ('Tomaž Horvat', 'tomaz@example.net', NULL,
  'Assigned at first: a rota of five volunteers. After a few months nobody needed the rota any more.',
  '<p>Assigned at first: a rota of five volunteers. After a few months nobody needed the rota any more.</p>' || char(10),
  1763482800000, 'Mira Kos', 1763479200000),
 ('Ana Novak', 'ana@example.com', 'https://ana.example.com/notes',
  'I''m less sure about tacit knowledge *never* travelling. Screen recordings of a translator thinking aloud taught me more than any style guide.',
  '<p>I''m less sure about tacit knowledge <em>never</em> travelling. Screen recordings of a translator thinking aloud taught me more than any style guide.</p>' || char(10),
  1763547000000, NULL, NULL),
 ('Jonas Weber', 'jonas@example.de', NULL,
  'Agreed. Recorded practice is the closest thing we have to the shoulder to look over.',
  '<p>Agreed. Recorded practice is the closest thing we have to the shoulder to look over.</p>' || char(10),
  1763550600000, 'Ana Novak', 1763547000000),
 ('Lea Kranjc', 'lea@example.si', NULL,
  'The lurkers point hits home. Most of our members never post, yet they show up at every workshop. They *are* learning; we just can''t see it.',
  '<p>The lurkers point hits home. Most of our members never post, yet they show up at every workshop. They <em>are</em> learning; we just can''t see it.</p>' || char(10),
  1763640000000, NULL, NULL);

INSERT INTO comments (thread_id, parent_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at)
SELECT t.id, NULL, 'approved', s.author, s.email, s.url, s.md, s.html, s.at
FROM seed s JOIN threads t ON t.site_id = 'default' AND t.key = '/blog/communities-of-practice/'
WHERE s.parent_author IS NULL
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND c.author_name = s.author AND c.created_at = s.at);

-- Replies in time order, so each parent exists before its reply.
INSERT INTO comments (thread_id, parent_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at)
SELECT t.id, p.id, 'approved', s.author, s.email, s.url, s.md, s.html, s.at
FROM seed s
JOIN threads t ON t.site_id = 'default' AND t.key = '/blog/communities-of-practice/'
JOIN comments p ON p.thread_id = t.id AND p.author_name = s.parent_author AND p.created_at = s.parent_at
WHERE s.parent_author IS NOT NULL AND s.at = 1763479200000
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND c.author_name = s.author AND c.created_at = s.at);

INSERT INTO comments (thread_id, parent_id, status, author_name, author_email, author_url, body_markdown, body_html, created_at)
SELECT t.id, p.id, 'approved', s.author, s.email, s.url, s.md, s.html, s.at
FROM seed s
JOIN threads t ON t.site_id = 'default' AND t.key = '/blog/communities-of-practice/'
JOIN comments p ON p.thread_id = t.id AND p.author_name = s.parent_author AND p.created_at = s.parent_at
WHERE s.parent_author IS NOT NULL AND s.at <> 1763479200000
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.thread_id = t.id AND c.author_name = s.author AND c.created_at = s.at);

DROP TABLE seed;
