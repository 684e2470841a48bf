/* Series colours and dash patterns (palette.h). */
#include "util/palette.h"

/* Okabe-Ito, in an order where neighbours contrast: blue, vermillion,
 * bluish green, reddish purple, orange, sky blue, black. */
static const char *const colours[MLOPS__PALETTE_COLOURS] = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
};

/* Each dash pattern as SVG writes it and as CSS gradient stops over one
 * period (px): the swatch beside a table row shows the chart's line. */
static const struct {
    const char *svg;
    const char *css; /* stops for repeating-linear-gradient, %s = colour */
} dashes[MLOPS__PALETTE_DASHES] = {
    { "", NULL },
    { "8 4", "%s 0 8px,transparent 8px 12px" },
    { "2 3", "%s 0 2px,transparent 2px 5px" },
    { "10 3 2 3", "%s 0 10px,transparent 10px 13px,%s 13px 15px,transparent 15px 18px" },
};

const char *mlops__palette_colour(size_t i)
{
    return colours[i % MLOPS__PALETTE_COLOURS];
}

const char *mlops__palette_dash(size_t i)
{
    return dashes[i % MLOPS__PALETTE_DASHES].svg;
}

void mlops__palette_swatch(mlops__buf *b, size_t i)
{
    const char *c = mlops__palette_colour(i), *css = dashes[i % MLOPS__PALETTE_DASHES].css;
    mlops__buf_add(b, "<span class=\"sw\" aria-hidden=\"true\" style=\"background:");
    if (!css) {
        mlops__buf_add(b, c);
    } else {
        mlops__buf_add(b, "repeating-linear-gradient(90deg,");
        /* The stops name the colour once or twice; the format is ours. */
        for (const char *p = css; *p; p++) {
            if (p[0] == '%' && p[1] == 's') {
                mlops__buf_add(b, c);
                p++;
            } else {
                mlops__buf_addn(b, p, 1);
            }
        }
        mlops__buf_add(b, ")");
    }
    mlops__buf_add(b, "\"></span>");
}
