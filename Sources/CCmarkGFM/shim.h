// GitHub's Markdown (CommonMark with its extensions: tables, strikethrough, autolinks),
// from Debian's libcmark-gfm-dev: the report's HTML renders Markdown as GitHub renders
// report.md.
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
