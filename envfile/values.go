package envfile

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// decoder evaluates attribute expressions and collects diagnostics.
type decoder struct {
	ctx   *hcl.EvalContext
	diags hcl.Diagnostics
	use   *hostUse // told what each expression is, so env() and file() calls are recorded against it
	where string   // configuration path of the block being decoded, e.g. services.web
}

// errorf records an error diagnostic about rng.
// warnf records a warning: printed, but the file stays valid.
func (d *decoder) warnf(rng hcl.Range, summary, detail string, args ...any) {
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  rng.Ptr(),
	})
}

func (d *decoder) errorf(rng hcl.Range, summary, detail string, args ...any) {
	d.diags = append(d.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(detail, args...),
		Subject:  rng.Ptr(),
	})
}

// item is a string value and where it came from.
type item struct {
	val string
	rng hcl.Range
}

// entry is one key = value pair of a string map and where it came from.
type entry struct {
	key, val       string
	keyRng, valRng hcl.Range
}

// eval evaluates expr and converts it to ty. It returns false when the
// value could not be evaluated (a diagnostic is recorded then) or is null:
// an attribute set to null counts as unset, a null element is an error.
func (d *decoder) eval(expr hcl.Expression, ty cty.Type, name string, allowNull bool) (cty.Value, bool) {
	if d.use != nil {
		d.use.path, d.use.rng = d.path(name), expr.Range()
	}
	v, diags := expr.Value(d.ctx)
	d.diags = append(d.diags, diags...)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	if v.IsNull() {
		if !allowNull {
			d.errorf(expr.Range(), "Invalid null value", "%q must not be null here; give it a value.", name)
		}
		return cty.NilVal, false
	}
	if !v.IsWhollyKnown() {
		d.errorf(expr.Range(), "Unknown value", "The value of %q cannot be determined; use only literals, variables and functions.", name)
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil {
		d.diags = append(d.diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Incorrect attribute value type",
			Detail:      fmt.Sprintf("Inappropriate value for %q: %s.", name, err.Error()),
			Subject:     expr.Range().Ptr(),
			Expression:  expr,
			EvalContext: d.ctx,
		})
		return cty.NilVal, false
	}
	if cv.IsNull() {
		return cty.NilVal, false
	}
	return cv, true
}

// path is the configuration path of the value called name in the
// current block: services.web.env.TOKEN, services.web.command[2].
func (d *decoder) path(name string) string {
	name = strings.TrimSuffix(name, " key")
	if d.where == "" {
		return name
	}
	return d.where + "." + name
}

// str decodes an optional string attribute.
func (d *decoder) str(a *hcl.Attribute) (string, bool) {
	if a == nil {
		return "", false
	}
	v, ok := d.eval(a.Expr, cty.String, a.Name, true)
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

// boolean decodes an optional bool attribute.
func (d *decoder) boolean(a *hcl.Attribute) bool {
	if a == nil {
		return false
	}
	v, ok := d.eval(a.Expr, cty.Bool, a.Name, true)
	return ok && v.True()
}

// integer decodes an optional whole-number attribute.
func (d *decoder) integer(a *hcl.Attribute) (int, bool) {
	if a == nil {
		return 0, false
	}
	v, ok := d.eval(a.Expr, cty.Number, a.Name, true)
	if !ok {
		return 0, false
	}
	bf := v.AsBigFloat()
	i, acc := bf.Int64()
	if !bf.IsInt() || acc != big.Exact || i > math.MaxInt32 || i < math.MinInt32 {
		d.errorf(a.Expr.Range(), "Invalid number", "%q must be a whole number, got %s.", a.Name, bf.Text('g', 10))
		return 0, false
	}
	return int(i), true
}

// strList decodes an optional list of strings, keeping each element's
// range when the list is written out literally.
func (d *decoder) strList(a *hcl.Attribute) []item {
	if a == nil {
		return nil
	}
	if exprs, diags := hcl.ExprList(a.Expr); !diags.HasErrors() {
		out := make([]item, 0, len(exprs))
		for i, e := range exprs {
			v, ok := d.eval(e, cty.String, fmt.Sprintf("%s[%d]", a.Name, i), false)
			if !ok {
				continue
			}
			out = append(out, item{v.AsString(), e.Range()})
		}
		return out
	}
	v, ok := d.eval(a.Expr, cty.List(cty.String), a.Name, true)
	if !ok {
		return nil
	}
	out := make([]item, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			d.errorf(a.Expr.Range(), "Invalid null value", "Elements of %q must not be null; remove them or give them a value.", a.Name)
			continue
		}
		out = append(out, item{ev.AsString(), a.Expr.Range()})
	}
	return out
}

// strMap decodes an optional map of strings, keeping each key's and
// value's range when the map is written out literally.
func (d *decoder) strMap(a *hcl.Attribute) []entry {
	if a == nil {
		return nil
	}
	if pairs, diags := hcl.ExprMap(a.Expr); !diags.HasErrors() {
		out := make([]entry, 0, len(pairs))
		seen := map[string]hcl.Range{}
		for _, p := range pairs {
			k, ok := d.eval(p.Key, cty.String, a.Name+" key", false)
			if !ok {
				continue
			}
			key := k.AsString()
			if prev, dup := seen[key]; dup {
				d.errorf(p.Key.Range(), "Duplicate key", "%q is already set in %q at %s; remove one of them.", key, a.Name, prev)
				continue
			}
			seen[key] = p.Key.Range()
			v, ok := d.eval(p.Value, cty.String, a.Name+"."+key, false)
			if !ok {
				continue
			}
			out = append(out, entry{key, v.AsString(), p.Key.Range(), p.Value.Range()})
		}
		return out
	}
	v, ok := d.eval(a.Expr, cty.Map(cty.String), a.Name, true)
	if !ok {
		return nil
	}
	out := make([]entry, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ev.IsNull() {
			d.errorf(a.Expr.Range(), "Invalid null value", "%q must not be null in %q; give it a value.", k.AsString(), a.Name)
			continue
		}
		out = append(out, entry{k.AsString(), ev.AsString(), a.Expr.Range(), a.Expr.Range()})
	}
	return out
}

// values returns just the strings of items.
func values(items []item) []string {
	if len(items) == 0 {
		return nil
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.val
	}
	return out
}

// toMap returns entries as a map.
func toMap(entries []entry) map[string]string {
	if len(entries) == 0 {
		return nil
	}
	m := make(map[string]string, len(entries))
	for _, e := range entries {
		m[e.key] = e.val
	}
	return m
}
