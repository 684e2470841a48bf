/* Internal: how the pages tell series apart (doc/pages.md, "Colours").
 * Series i is drawn in colour i mod 7 and dash pattern i mod 4, so that
 * the first 28 series each look different, neighbours differ in both,
 * and a reader who cannot tell two colours apart, or a grey print, still
 * has the dashes. The colours are Okabe and Ito's set for colour-blind
 * readers ("Color Universal Design", 2008) without its yellow, which is
 * too pale on white. */
#ifndef MLOPS_UTIL_PALETTE_H
#define MLOPS_UTIL_PALETTE_H

#include <stddef.h>

#include "util/buf.h"

#define MLOPS__PALETTE_COLOURS 7
#define MLOPS__PALETTE_DASHES  4

/* The CSS a page using mlops__palette_swatch includes. */
#define MLOPS__PALETTE_CSS                                                                  \
    ".sw{display:inline-block;width:30px;height:4px;vertical-align:middle;margin-right:8px;" \
    "print-color-adjust:exact;-webkit-print-color-adjust:exact}"

/* The colour of series i, "#rrggbb". */
const char *mlops__palette_colour(size_t i);

/* The SVG stroke-dasharray of series i, "" for a solid line. */
const char *mlops__palette_dash(size_t i);

/* An inline sample of series i's line (a span drawn with CSS: colour and
 * dashes; class "sw" of MLOPS__PALETTE_CSS), for tables and legends
 * outside a chart; printed too. */
void mlops__palette_swatch(mlops__buf *b, size_t i);

#endif
