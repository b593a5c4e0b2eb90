// Stand-in for github.com/magodo/terraform-plugin-framework-docs, which the Go module proxy does
// not serve. terraform-provider-restful imports it only to attach documentation examples to its
// resources; these declarations satisfy those imports and render nothing. Written for
// runlater-iac's engine build (scripts/engines/tofu.sh); not the upstream code.
module github.com/magodo/terraform-plugin-framework-docs

go 1.21
