/*
 * fuzz_conf: the YAML loader and validator (conf_load) on any file.
 * It must not crash or leak (conf_free after a success; nothing kept
 * after a failure), must fail exactly when it printed an error, and every
 * error line must be "FILE:LINE:COLUMN: message" (LINE and COLUMN from 1)
 * or, for the file as a whole, "FILE: message".
 */
#include <ctype.h>

#include "fuzz.h"

#include "conf.h"

/* One line of errors: 0 if it has the right form. */
static int
fuzz_conf_line(const char *path, const char *s)
{
	size_t plen = strlen(path);
	long line, col;
	char *end;

	if (strncmp(s, path, plen) != 0)
		return -1;
	s += plen;
	if (s[0] == ':' && s[1] == ' ' && s[2] != '\0')
		return 0;
	if (s[0] != ':' || !isdigit((unsigned char)s[1]))
		return -1;
	line = strtol(s + 1, &end, 10);
	if (line < 1 || end[0] != ':' || !isdigit((unsigned char)end[1]))
		return -1;
	col = strtol(end + 1, &end, 10);
	if (col < 1 || end[0] != ':' || end[1] != ' ' || end[2] == '\0')
		return -1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf c;
	const char *path;
	char *out = NULL, *line, *nl;
	size_t outlen = 0;
	FILE *errf;
	int n, lines = 0;

	path = fuzz_file("conf", ".yaml", data, size);
	if ((errf = open_memstream(&out, &outlen)) == NULL)
		fuzz_fail("open_memstream");
	n = conf_load(path, &c, errf);
	fclose(errf);
	if (n == 0)
		conf_free(&c);
	for (line = out; line != NULL && *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			fuzz_fail("error output does not end with a newline: "
			    "\"%s\"", line);
		*nl = '\0';
		if (fuzz_conf_line(path, line) != 0)
			fuzz_fail("error not in FILE:LINE:COLUMN form: \"%s\"",
			    line);
		lines++;
	}
	if (n < 0 || (n == 0) != (lines == 0))
		fuzz_fail("conf_load returned %d after %d lines of errors", n,
		    lines);
	free(out);
	return 0;
}
