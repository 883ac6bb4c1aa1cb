/* clean_glib_symbolizer.c
 *
 * Written for probe-migrator's corpus in the style of a desktop profiler's
 * kernel symbolizer: a capture document holds a copy of /proc/kallsyms taken
 * at record time, keyed by its path, and the profiler turns the sampled
 * kernel addresses of that capture into names. Nothing is probed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>

#include "capture-document.h"
#include "symbol-cache.h"

#define KALLSYMS_KEY "/proc/kallsyms"

typedef struct {
  guint64     address;
  const char *name;
} KernelSymbol;

static GArray *
load_kernel_symbols (CaptureDocument  *doc,
                     GError          **error)
{
  g_autoptr(GBytes) bytes = capture_document_lookup_file (doc, KALLSYMS_KEY, error);
  GArray *symbols;
  const char *line;
  gsize len;

  if (bytes == NULL)
    return NULL;

  symbols = g_array_new (FALSE, FALSE, sizeof (KernelSymbol));
  line = g_bytes_get_data (bytes, &len);
  while (line != NULL && *line)
    {
      KernelSymbol sym;
      char type;
      char name[256];

      if (sscanf (line, "%" G_GINT64_MODIFIER "x %c %255s", &sym.address, &type, name) == 3)
        {
          sym.name = g_intern_string (name);
          g_array_append_val (symbols, sym);
        }
      line = strchr (line, '\n');
      if (line)
        line++;
    }

  return symbols;
}

const char *
kernel_symbolize (CaptureDocument *doc,
                  guint64          address)
{
  g_autoptr(GArray) symbols = load_kernel_symbols (doc, NULL);
  const char *best = NULL;
  guint64 best_address = 0;

  if (symbols == NULL)
    return NULL;
  for (guint i = 0; i < symbols->len; i++)
    {
      const KernelSymbol *s = &g_array_index (symbols, KernelSymbol, i);

      if (s->address <= address && s->address >= best_address)
        {
          best = s->name;
          best_address = s->address;
        }
    }
  return best;
}
