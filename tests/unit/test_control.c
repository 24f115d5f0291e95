/*
 * test_control.c: the control socket's request parser (cmd/control_parse.c),
 * compiled in from the real source.
 */
#include <stdio.h>
#include <string.h>

#include "t.h"

#include "../../cmd/control_parse.c"

static int
parse(const char *line, struct control_req *r, char *err, size_t errlen)
{
	return control_parse(line, strlen(line), r, err, errlen);
}

static void
test_words(void)
{
	struct control_req r;
	char err[256];

	T_REQUIRE(parse("stats --json wan lan\n", &r, err, sizeof(err)) == 0);
	T_EQ(r.argc, 4);
	T_CHECK(strcmp(r.argv[0], "stats") == 0);
	T_CHECK(strcmp(r.argv[1], "--json") == 0);
	T_CHECK(strcmp(r.argv[3], "lan") == 0);
	T_CHECK(r.argv[4] == NULL);
	/* blanks and tabs anywhere, CRLF from a telnet-ish client */
	T_REQUIRE(parse("  capture\twan  -c 10  tcp port 80 \r\n", &r, err,
	    sizeof(err)) == 0);
	T_EQ(r.argc, 7);
	T_CHECK(strcmp(r.argv[1], "wan") == 0);
	T_CHECK(strcmp(r.argv[6], "80") == 0);
	T_REQUIRE(parse("version", &r, err, sizeof(err)) == 0);
	T_EQ(r.argc, 1);
}

static void
test_refused(void)
{
	struct control_req r;
	char err[256], line[CONTROL_LINE_MAX + 16];
	int i;

	T_CHECK(parse("\n", &r, err, sizeof(err)) == -1);
	T_CHECK(strstr(err, "empty") != NULL);
	T_CHECK(parse("   \t \n", &r, err, sizeof(err)) == -1);
	T_CHECK(parse("stats \x01\x02\n", &r, err, sizeof(err)) == -1);
	printf("  %s\n", err);
	T_CHECK(strstr(err, "0x01") != NULL && strstr(err, "offset 6"));
	T_CHECK(parse("st\xc3\xa4ts\n", &r, err, sizeof(err)) == -1);
	T_CHECK(control_parse("a\0b\n", 4, &r, err, sizeof(err)) == -1);
	/* the longest line fits, one more byte does not */
	memset(line, 'x', sizeof(line));
	line[CONTROL_LINE_MAX - 1] = '\n';
	T_CHECK(control_parse(line, CONTROL_LINE_MAX, &r, err,
	    sizeof(err)) == 0);
	line[CONTROL_LINE_MAX] = '\n';
	T_CHECK(control_parse(line, CONTROL_LINE_MAX + 1, &r, err,
	    sizeof(err)) == -1);
	T_CHECK(strstr(err, "longer") != NULL);
	/* too many words */
	line[0] = '\0';
	for (i = 0; i < CONTROL_ARGS_MAX + 1; i++)
		strcat(line, "a ");
	T_CHECK(parse(line, &r, err, sizeof(err)) == -1);
	T_CHECK(strstr(err, "words") != NULL);
	T_EQ(r.argc, 0);
	line[strlen(line) - 2] = '\0';
	T_CHECK(parse(line, &r, err, sizeof(err)) == 0);
	T_EQ(r.argc, CONTROL_ARGS_MAX);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	T_RUN(test_words);
	T_RUN(test_refused);
	return t_done();
}
