/*
 * fuzz_control: the control socket's request parser (cmd/control_parse.c)
 * on any bytes.  A request it accepts has 1..CONTROL_ARGS_MAX words, each
 * non-empty printable ASCII without blanks, argv NULL-terminated; one it
 * refuses has an error message and no words.
 */
#include "fuzz.h"

#include "control.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct control_req r;
	char err[256], *line;
	const char *s;
	int i, rc;

	/* a copy of exactly size bytes, so ASan sees a read past it */
	if ((line = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	err[0] = '\0';
	rc = control_parse(line, size, &r, err, sizeof(err));
	free(line);
	if (rc != 0) {
		if (rc != -1 || err[0] == '\0' || r.argc != 0)
			fuzz_fail("refused with rc %d, argc %d, error \"%s\"",
			    rc, r.argc, err);
		return 0;
	}
	if (r.argc < 1 || r.argc > CONTROL_ARGS_MAX || r.argv[r.argc] != NULL)
		fuzz_fail("accepted with argc %d", r.argc);
	for (i = 0; i < r.argc; i++) {
		if (r.argv[i] < r.buf || r.argv[i] >= r.buf + sizeof(r.buf) ||
		    r.argv[i][0] == '\0')
			fuzz_fail("word %d is empty or outside the buffer", i);
		for (s = r.argv[i]; *s != '\0'; s++)
			if (*s <= ' ' || *s > '~')
				fuzz_fail("word %d has byte 0x%02x", i,
				    (unsigned char)*s);
	}
	return 0;
}
