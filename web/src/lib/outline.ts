// The public outline of a course from `/api/course_home/v1/outline/{course}`:
// sections (chapters) and their subsections, in course order. Anonymous
// callers get course_blocks only for courses whose course_visibility is
// `public` or `public_outline`; otherwise null (or a 401).

export interface OutlineSection {
  id: string;
  title: string;
  subsections: { id: string; title: string; graded: boolean }[];
}

interface Block {
  id?: string;
  type?: string;
  display_name?: string;
  children?: string[];
  icon?: string | null;
  hide_from_toc?: boolean;
}

export function parseOutline(body: unknown): OutlineSection[] | null {
  const cb = (body as { course_blocks?: { root?: string; blocks?: Record<string, Block> } | null } | null)?.course_blocks;
  if (!cb || typeof cb !== 'object' || !cb.blocks || !cb.root) return null;
  const blocks = cb.blocks;
  const root = blocks[cb.root];
  if (!root) return null;
  const visible = (id: string) => Boolean(blocks[id]) && !blocks[id].hide_from_toc;
  return (root.children ?? []).filter(visible).map((sid) => {
    const s = blocks[sid];
    return {
      id: sid,
      title: s.display_name || sid,
      subsections: (s.children ?? []).filter(visible).map((qid) => ({
        id: qid,
        title: blocks[qid].display_name || qid,
        graded: Boolean(blocks[qid].icon),
      })),
    };
  });
}
