/** The dashboard page: one self-contained HTML file (inline CSS, script and SVG charts). */
import { readFileSync } from 'node:fs';

export const DASHBOARD_PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
