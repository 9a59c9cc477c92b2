package skyhub

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

// LabelPDF draws label data (the docsExternos of a PLP or of one order)
// as SkyHub serves labels to a client that asks for application/pdf: one
// 100 × 150 mm page per volume, with the AWB code, the recipient and the
// invoice. It is generated, small and deterministic for a given input
// (its creation date is the sandbox time it is given), so tests can read
// it back.
func LabelPDF(title string, docs []map[string]any, at time.Time) ([]byte, error) {
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 100, Ht: 150}})
	pdf.SetTitle(title, true)
	pdf.SetCreator("omsbox", true)
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCompression(false) // readable by a test, and a label is tiny anyway
	pdf.SetMargins(6, 6, 6)
	pdf.SetAutoPageBreak(false, 0)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252: accents as Brazilian addresses need
	for _, doc := range docs {
		awbs, _ := doc["awbs"].([]map[string]any)
		dest, _ := doc["destinatario"].(map[string]string)
		for _, awb := range awbs {
			pdf.AddPage()
			pdf.SetFont("Helvetica", "B", 14)
			pdf.CellFormat(0, 8, tr("B2W Entrega "+fmt.Sprint(doc["tpEntrega"])), "B", 1, "L", false, 0, "")
			pdf.Ln(3)
			pdf.SetFont("Courier", "B", 16)
			pdf.CellFormat(0, 10, fmt.Sprint(awb["codigoAwb"]), "1", 1, "C", false, 0, "")
			pdf.SetFont("Helvetica", "", 9)
			pdf.CellFormat(0, 6, tr(fmt.Sprintf("Volume %v de %v  ·  Pedido %v  ·  NF %v", awb["posicaoVolume"], doc["qtVolumes"],
				doc["docExterno"], doc["numNotaFiscal"])), "", 1, "L", false, 0, "")
			pdf.Ln(4)
			pdf.SetFont("Helvetica", "B", 10)
			pdf.CellFormat(0, 6, tr("Destinatário"), "", 1, "L", false, 0, "")
			pdf.SetFont("Helvetica", "", 10)
			lines := []string{dest["nome"], strings.TrimSpace(dest["enderecoLogradouro"] + ", " + dest["enderecoNumero"]),
				dest["enderecoBairro"], dest["enderecoCidade"] + " - " + dest["enderecoUf"], "CEP " + dest["enderecoCep"]}
			for _, l := range lines {
				pdf.CellFormat(0, 5, tr(l), "", 1, "L", false, 0, "")
			}
			pdf.Ln(4)
			pdf.SetFont("Helvetica", "", 8)
			pdf.CellFormat(0, 5, tr(fmt.Sprintf("Rota %v / %v", doc["megaRota"], doc["rota"])), "T", 1, "L", false, 0, "")
		}
	}
	if pdf.PageCount() == 0 {
		pdf.AddPage() // a PLP without orders still answers a valid document
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("label pdf: %w", err)
	}
	return buf.Bytes(), nil
}
