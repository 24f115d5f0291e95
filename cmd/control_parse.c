/*
 * control_parse.c: a control request, split into words (control.h).
 */
#include <stdio.h>
#include <string.h>

#include "control.h"

int
control_parse(const char *line, size_t len, struct control_req *r,
    char *err, size_t errlen)
{
	size_t i;
	char *p;

	r->argc = 0;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len >= sizeof(r->buf)) {
		snprintf(err, errlen, "request longer than %d bytes",
		    CONTROL_LINE_MAX - 1);
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		if (ch == '\t')
			continue;
		if (ch < 0x20 || ch > 0x7e) {
			snprintf(err, errlen, "request with a byte 0x%02x at "
			    "offset %zu: only printable ASCII is understood",
			    ch, i);
			return -1;
		}
	}
	memcpy(r->buf, line, len);
	r->buf[len] = '\0';
	for (p = r->buf; *p != '\0';) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (r->argc == CONTROL_ARGS_MAX) {
			snprintf(err, errlen, "more than %d words",
			    CONTROL_ARGS_MAX);
			r->argc = 0;
			return -1;
		}
		r->argv[r->argc++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	r->argv[r->argc] = NULL;
	if (r->argc == 0) {
		snprintf(err, errlen, "empty request");
		return -1;
	}
	return 0;
}
