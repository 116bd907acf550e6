// Command go-oracle renders the template conformance corpus with Go's own
// text/template and html/template plus Masterminds/sprig, so the Rust engine in
// src/template/ can be compared against real Go output instead of hand-written
// expectations.
//
// Usage: go-oracle CASES_DIR EXPECTED_DIR
//
// Every CASES_DIR/*.json file holds an array of cases:
//
//	{"name": "...", "template": "...", "data": <any JSON>, "mode": "text"|"html",
//	 "defines": {"sub": "..."}, "tname": "main"}
//
// and EXPECTED_DIR/<same file name> receives an array of
// {"name": "...", "output": "..."} or {"name": "...", "error": "..."}.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"sort"
	"strings"
	texttemplate "text/template"

	"github.com/Masterminds/sprig"
)

type testCase struct {
	Name     string            `json:"name"`
	Template string            `json:"template"`
	Data     json.RawMessage   `json:"data"`
	Mode     string            `json:"mode"`
	Defines  map[string]string `json:"defines,omitempty"`
	TName    string            `json:"tname,omitempty"`
}

type result struct {
	Name   string  `json:"name"`
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
}

// longestBacktickRun mirrors the Rust wrapCode: the fence is one backtick longer
// than the longest run inside the text (at least three), so the text can never
// close it.
func longestBacktickRun(s string) int {
	longest, cur := 0, 0
	for _, r := range s {
		if r == '`' {
			cur++
			if cur > longest {
				longest = cur
			}
		} else {
			cur = 0
		}
	}
	return longest
}

func wrapCode(text string) htmltemplate.HTML {
	n := longestBacktickRun(text) + 1
	if n < 3 {
		n = 3
	}
	fence := strings.Repeat("`", n)
	return htmltemplate.HTML("\n" + fence + "hcl\n" + text + "\n" + fence + "\n") //nolint:gosec
}

func avoidHTMLEscape(text string) htmltemplate.HTML {
	return htmltemplate.HTML(text) //nolint:gosec
}

func escapeHTML(text string) string {
	return htmltemplate.HTMLEscapeString(text)
}

func funcs(generic map[string]interface{}) map[string]interface{} {
	delete(generic, "env")
	delete(generic, "expandenv")
	delete(generic, "getHostByName")
	for _, name := range []string{"genPrivateKey", "genCA", "genCAWithKey",
		"genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert",
		"genSignedCertWithKey", "buildCustomCert", "derivePassword"} {
		delete(generic, name)
	}
	generic["wrapCode"] = wrapCode
	generic["avoidHTMLEscape"] = avoidHTMLEscape
	generic["escapeHTML"] = escapeHTML
	return generic
}

// convert turns json.Number into int (like tfcmt's ExitCode), uint64 or float64,
// matching how the Rust side maps serde_json numbers.
func convert(v interface{}) interface{} {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil && !strings.ContainsAny(string(x), ".eE") {
			return int(i)
		}
		var u uint64
		if _, err := fmt.Sscan(string(x), &u); err == nil && !strings.ContainsAny(string(x), ".eE-") {
			return u
		}
		f, _ := x.Float64()
		return f
	case map[string]interface{}:
		for k, e := range x {
			x[k] = convert(e)
		}
		return x
	case []interface{}:
		for i, e := range x {
			x[i] = convert(e)
		}
		return x
	default:
		return v
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func render(c testCase) (string, error) {
	var data interface{}
	if len(c.Data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(c.Data))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return "", fmt.Errorf("oracle: bad data: %v", err)
		}
		data = convert(data)
	}
	name := c.TName
	if name == "" {
		name = "main"
	}
	var b bytes.Buffer
	switch c.Mode {
	case "html":
		t, err := htmltemplate.New(name).Funcs(funcs(sprig.FuncMap())).Parse(c.Template)
		if err != nil {
			return "", err
		}
		for _, k := range sortedKeys(c.Defines) {
			if _, err := t.New(k).Parse(c.Defines[k]); err != nil {
				return "", err
			}
		}
		if err := t.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
	case "text":
		t, err := texttemplate.New(name).Funcs(funcs(sprig.TxtFuncMap())).Parse(c.Template)
		if err != nil {
			return "", err
		}
		for _, k := range sortedKeys(c.Defines) {
			if _, err := t.New(k).Parse(c.Defines[k]); err != nil {
				return "", err
			}
		}
		if err := t.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("oracle: unknown mode %q", c.Mode)
	}
	return b.String(), nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go-oracle CASES_DIR EXPECTED_DIR")
		os.Exit(2)
	}
	files, err := filepath.Glob(filepath.Join(os.Args[1], "*.json"))
	if err != nil {
		panic(err)
	}
	total := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var cases []testCase
		if err := json.Unmarshal(raw, &cases); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
			os.Exit(1)
		}
		seen := map[string]bool{}
		out := make([]result, 0, len(cases))
		for _, c := range cases {
			if seen[c.Name] {
				fmt.Fprintf(os.Stderr, "%s: duplicate case name %q\n", f, c.Name)
				os.Exit(1)
			}
			seen[c.Name] = true
			s, err := render(c)
			r := result{Name: c.Name}
			if err != nil {
				msg := err.Error()
				r.Error = &msg
			} else {
				r.Output = &s
			}
			out = append(out, r)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			panic(err)
		}
		dst := filepath.Join(os.Args[2], filepath.Base(f))
		if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
			panic(err)
		}
		total += len(cases)
	}
	// The functions both engines register, so a test can keep them equal.
	names := make([]string, 0)
	for name := range funcs(sprig.TxtFuncMap()) {
		names = append(names, name)
	}
	sort.Strings(names)
	list := filepath.Join(os.Args[2], "..", "functions.txt")
	if err := os.WriteFile(list, []byte(strings.Join(names, "\n")+"\n"), 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("wrote expectations for %d cases from %d files\n", total, len(files))
}
