/* The text layer's per-word loop (see native.py): split a page's text at whitespace and
 * box each word by the loose boxes of its first and last character, in one call per page.
 * From Python this loop costs two ctypes calls per word (~0.5 us each); here it costs
 * PDFium's own work. PDFium is not linked: the caller passes FPDFText_GetLooseCharBox. */
#include <math.h>
#include <stdint.h>

typedef struct { float left, top, right, bottom; } rect_f;              /* FS_RECTF */
typedef int (*loose_char_box_fn)(void *text_page, int index, rect_f *rect);

/* text: n code points (PDFium char index == position); is_space: 0x10000 flags (code
 * points above are never whitespace). page: left, top, width, height of the crop box.
 * Writes each word's first index to starts and its edges normalized to the page (0..1,
 * origin top-left: left, top, right, bottom; the same double arithmetic as Python's) to
 * edges; returns the number of words. */
int word_boxes(loose_char_box_fn box, void *text_page, const uint32_t *text, int n,
               const uint8_t *is_space, const double *page, int32_t *starts, double *edges)
{
    const double left = page[0], top = page[1], width = page[2], height = page[3];
    int count = 0;
    int i = 0;
    rect_f r = {0, 0, 0, 0};
    for (;;) {
        while (i < n && text[i] < 0x10000 && is_space[text[i]])
            i++;
        if (i >= n)
            return count;
        int s = i;
        while (i < n && !(text[i] < 0x10000 && is_space[text[i]]))
            i++;
        box(text_page, s, &r);
        double x0 = r.left, y_top = r.top, y_bottom = r.bottom;
        if (i - s > 1) {
            box(text_page, i - 1, &r);
            if (r.top > y_top)
                y_top = r.top;
            if (r.bottom < y_bottom)
                y_bottom = r.bottom;
        }
        double *e = edges + 4 * count;
        e[0] = (x0 - left) / width;
        e[1] = (top - y_top) / height;
        e[2] = ((double)r.right - left) / width;
        e[3] = (top - y_bottom) / height;
        starts[count++] = s;
    }
}

typedef float (*char_angle_fn)(void *text_page, int index);

/* FPDFText_GetCharAngle for n char indices (the rotation vote's sample). */
void char_angles(char_angle_fn angle, void *text_page, const int32_t *indices, int n,
                 float *out)
{
    for (int i = 0; i < n; i++)
        out[i] = angle(text_page, indices[i]);
}

/* The rotation vote of pdf._upright_rotation: the angles of the first characters of up
 * to 64 words spread over the page (n word starts), each to the nearest quarter turn
 * (half to even, as Python's round); returns the quarter (0-3) most of them show, the
 * first one on a tie. Unknown angles (-1) do not vote. */
int upright_quarter(char_angle_fn angle, void *text_page, const int32_t *starts, int n)
{
    int votes[4] = {0, 0, 0, 0};
    int step = n / 64 > 1 ? n / 64 : 1;
    for (int i = 0, k = 0; i < n && k < 64; i += step, k++) {
        double a = angle(text_page, starts[i]);
        if (a >= 0)
            votes[(int)fmod(nearbyint(a * (180.0 / M_PI) / 90.0), 4.0)]++;
    }
    int best = 0;
    for (int q = 1; q < 4; q++)
        if (votes[q] > votes[best])
            best = q;
    return best;
}
